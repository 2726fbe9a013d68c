"""The report as a headteacher receives it, in every format (Markdown, HTML, print): names not
codes (school, partnership, team, themes), findings under the enquiry question they answer,
British dates, correct plurals, Markdown that reads as text, and the same words in each.

Markdown is read back with markdown-it-py (CommonMark, as a reader's tool would render it) and
HTML with the standard library's parser, so "the same content" is checked on what a reader sees.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from contracts.directory import PARTNERSHIP_CREATED
from contracts.events import TenancyPath
from contracts.schedule import ReviewPlanPayload
from reviews.report.rendering import markdown_text
from reviews.report.wording import academic_year, british_date, british_dates, count, join_and
from tests.reviews.kit import LA, PARTNERSHIP, URN, Kit, plan
from tests.reviews.test_focus import put_focus
from tests.reviews.walk import people, walk_to

MARKDOWN = MarkdownIt("commonmark").enable(["strikethrough", "table"])
NAMES = {"lead": "Priya Shah", "reviewer": "Tom O'Neill", "ic": "Grace Okafor"}
PARTNERSHIP_NAME = "Chelmer & Blackwater Partnership"
QUESTIONS = [
    "How well do pupils in Years 5 and 6 choose books?",
    "How does the school involve families in reading at home?",
]


class _Text(HTMLParser):
    """The words of an HTML document (entities decoded) and the tags it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._skip += tag in ("head", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("head", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def words(html: str) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.tags


# --- Wording, without a database ---------------------------------------------------------


def test_british_dates_plurals_and_years() -> None:
    assert british_date(date(2026, 12, 7)) == "7 December 2026"
    assert british_dates([date(2027, 3, 11), date(2027, 3, 10)]) == "10 and 11 March 2027"
    assert british_dates([date(2027, 3, 31), date(2027, 4, 1)]) == "31 March and 1 April 2027"
    assert british_dates([date(2026, 12, 31), date(2027, 1, 4)]) == (
        "31 December 2026 and 4 January 2027"
    )
    assert academic_year("2026-27") == "2026 to 2027"
    assert (count(1, "item"), count(2, "item"), count(0, "kind")) == (
        "1 item",
        "2 items",
        "0 kinds",
    )
    assert join_and(["Reading", "Writing", "Mathematics"]) == "Reading, Writing and Mathematics"


def test_markdown_leaves_ordinary_punctuation_alone() -> None:
    text = "Pupils' reading (Years 5-6) rose: 3.5 years, well done! Smith & Jones; snake_case."
    assert markdown_text(text) == text
    assert markdown_text("# not a heading\n1. not a list") == "\\# not a heading\n1\\. not a list"


_PRINTABLE = st.characters(min_codepoint=9, max_codepoint=0x2FF, exclude_characters="\x0b\x0c\r")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_PRINTABLE, min_size=1).filter(str.strip))
def test_markdown_renders_back_to_the_same_words(text: str) -> None:
    """Whatever a finding says, its Markdown renders to those words and no markup, as a
    paragraph and inside a list item."""
    for markdown, allowed in (
        (markdown_text(text), {"p"}),
        ("- " + markdown_text(text, indent=2), {"p", "ul", "li"}),
    ):
        rendered, tags = words(MARKDOWN.render(markdown))
        assert tags <= allowed, (text, markdown, tags)
        assert rendered == " ".join(text.split()), (text, markdown)


# --- A published report, through the service ----------------------------------------------


def _named_plan(review_id: uuid.UUID) -> ReviewPlanPayload:
    data = plan(review_id, first_day=date(2027, 3, 10)).model_dump(mode="json")
    data["days"] = ["2027-03-10", "2027-03-11"]
    data["team"][0]["name"] = NAMES["lead"]
    data["team"][1]["name"] = NAMES["reviewer"]
    data["improvement_champion"]["name"] = NAMES["ic"]
    return ReviewPlanPayload.model_validate(data)


async def _partnership(kit: Kit) -> None:
    payload = PARTNERSHIP_CREATED.payload.model_validate(
        {
            "id": PARTNERSHIP,
            "name": PARTNERSHIP_NAME,
            "kind": "la_cluster",
            "la_code": LA,
            "version": 1,
            "updated_at": datetime.now(UTC),
        }
    )
    event = await kit.send(
        PARTNERSHIP_CREATED,
        payload,
        tenancy=TenancyPath(LA, str(PARTNERSHIP)),
        key=f"partnership:{PARTNERSHIP}",
    )
    await kit.applied(event, consumer="reviews-directory")


async def _published(kit: Kit) -> tuple[uuid.UUID, dict[str, Any]]:
    """A review of two days with two enquiry questions: a strength and an area under the first
    (2 items of 2 kinds; 1 item of 1 kind), an area under the second, and a strength that
    answers neither; published."""
    await kit.school(URN)
    await kit.agreement(partnership="named", la="named")
    await _partnership(kit)
    await kit.taxonomy(
        1,
        {
            "curriculum": False,
            "curriculum.reading": False,
            "engagement": False,
            "engagement.parents": False,
            "writing": False,
        },
    )
    who = people(kit)
    review_id = uuid.uuid4()
    await kit.plan(_named_plan(review_id))
    await walk_to(kit, review_id, "self_review")
    focus = {
        "text": "Reading for pleasure in upper key stage 2",
        "theme_codes": ["curriculum.reading"],
        "questions": [{"text": q} for q in QUESTIONS],
    }
    set_focus = await put_focus(kit, review_id, focus, who["head"])
    assert set_focus.status_code == 200, set_focus.text
    q1, q2 = (q["id"] for q in set_focus.json()["questions"])
    await walk_to(kit, review_id, "review_day")
    items = {
        name: {"id": str(uuid.uuid4()), "question_id": q, "kind": kind, "note": "Seen."}
        for name, q, kind in (
            ("visit", q1, "lesson_visit"),
            ("voice", q1, "pupil_voice"),
            ("scrutiny", q1, "work_scrutiny"),
            ("parents", q2, "parent_voice"),
        )
    }
    recorded = await kit.client.post(
        f"/v1/reviews/{review_id}/evidence/batches",
        json={"items": list(items.values())},
        headers=who["reviewer"],
    )
    assert recorded.status_code == 200, recorded.text
    findings = [
        ("strength", q1, ["visit", "voice"], ["curriculum.reading"], "Pupils talk about books."),
        ("area_for_development", q1, ["scrutiny"], ["writing"], "Book reviews are brief."),
        ("area_for_development", q2, ["parents"], ["engagement.parents"], "Few families know."),
        ("strength", None, ["visit", "voice"], ["curriculum"], "The library is well used."),
    ]
    for kind, question, evidence, themes, text in findings:
        body = {
            "kind": kind,
            "text": text,
            "theme_codes": themes,
            "evidence_ids": [items[e]["id"] for e in evidence],
            "question_id": question,
        }
        created = await kit.client.post(
            f"/v1/reviews/{review_id}/findings", json=body, headers=who["lead"]
        )
        assert created.status_code == 201, created.text
    await walk_to(kit, review_id, "report_drafted")
    base = f"/v1/reviews/{review_id}/report"
    summary = {"summary": "A school where reading is loved.\n\nNext: *stamina* in writing."}
    drafted = await kit.client.post(f"{base}/versions", json=summary, headers=who["lead"])
    assert drafted.status_code == 201, drafted.text
    acknowledged = await kit.client.post(
        f"{base}/versions/1/acknowledgement", json={}, headers=who["head"]
    )
    assert acknowledged.status_code == 200, acknowledged.text
    etag = (await kit.get(review_id)).headers["etag"]
    published = await kit.client.post(
        f"{base}/publication",
        json={"version": 1, "override_reason": "Parents could not be met this term."},
        headers={**who["lead"], "If-Match": etag},
    )
    assert published.status_code == 200, published.text
    return review_id, published.json()


def _position(text: str, *needles: str) -> list[int]:
    found = [text.find(n) for n in needles]
    assert all(i >= 0 for i in found), [n for n, i in zip(needles, found, strict=True) if i < 0]
    return found


async def test_the_report_in_every_format(kit: Kit) -> None:
    review_id, report = await _published(kit)
    head = people(kit)["head"]
    base = f"/v1/reviews/{review_id}/report"
    got = {
        fmt: await kit.client.get(f"{base}?format={fmt}", headers=head)
        for fmt in ("markdown", "html", "print")
    }
    for fmt, response in got.items():
        assert response.status_code == 200, (fmt, response.text)
    markdown = got["markdown"].text
    as_read = {
        "markdown": words(MARKDOWN.render(markdown))[0],
        "html": words(got["html"].text)[0],
        "print": words(got["print"].text)[0],
    }
    # One content model: the same words whichever format is asked for.
    assert as_read["markdown"] == as_read["html"] == as_read["print"]
    assert "@page" in got["print"].text
    assert "@page" not in got["html"].text
    # A draft version renders the same way.
    draft = await kit.client.get(f"{base}/versions/1?format=markdown", headers=head)
    assert draft.text == markdown

    published_on = british_date(datetime.fromisoformat(report["published_at"]).date())
    text = as_read["html"]
    for expected in (
        f"Peer review report: School {URN}",
        f"School: School {URN} (URN {URN})",
        f"Partnership: {PARTNERSHIP_NAME}",
        "Review: 10 and 11 March 2027, in person",
        "Academic year: 2026 to 2027",
        f"Report: Version 1, published {published_on}",
        f"Lead reviewer: {NAMES['lead']}",
        f"Reviewer: {NAMES['reviewer']}",
        f"Improvement Champion: {NAMES['ic']}",
        "Themes: Reading.",  # the focus's, by label
        "Themes: Reading. 2 items of evidence of 2 kinds: lesson visits and pupil voice.",
        "Themes: Writing. 1 item of evidence of 1 kind: work scrutiny. Not triangulated: it rests "
        "on fewer than 2 kinds of evidence.",
        "Themes: Parents. 1 item of evidence of 1 kind: parent voice.",
        "The team recorded 4 items of evidence and made 4 findings. 2 of 4 findings rest on "
        "fewer than 2 different kinds of evidence.",
        "Published with untriangulated findings: Parents could not be met this term.",
        "Next: *stamina* in writing.",  # the lead's words, not emphasis
    ):
        assert expected in text, expected
    for absent in ("curriculum.reading", "engagement.parents", "2027-03-10", "1 items", "1 kinds"):
        for fmt, read in as_read.items():
            assert absent not in read, (absent, fmt)
            assert absent not in got[fmt].text, (absent, fmt)

    # Findings under the question they answer; the one that answers none comes last.
    _position(
        text,
        "Enquiry question 1",
        QUESTIONS[0],
        "Strengths Pupils talk about books.",
        "Areas for development Book reviews are brief.",
        "Enquiry question 2",
        QUESTIONS[1],
        "Areas for development Few families know.",
        "Other findings Strengths The library is well used.",
    )
    order = _position(
        markdown,
        "## Enquiry question 1",
        "### Strengths\n\n- Pupils talk about books.",
        "### Areas for development\n\n- Book reviews are brief.",
        "## Enquiry question 2",
        "- Few families know.",
        "## Other findings",
        "- The library is well used.",
    )
    assert order == sorted(order)
    # Markdown that reads as text: the partnership's "&" and the IC's apostrophe as typed, the
    # summary's asterisks escaped (and nothing else of it).
    assert PARTNERSHIP_NAME in markdown
    assert NAMES["reviewer"] in markdown
    assert "Next: \\*stamina\\* in writing." in markdown
    assert re.search(r"\\[.,:;()'!?-]", markdown) is None
