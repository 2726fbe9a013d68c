"""The report as a headteacher receives it: one content model, built once from a report
version and the names the service holds, that every format renders (Markdown, HTML, print).

Everything a reader sees is decided here, in words: names rather than codes (the school, the
partnership, the team, the themes' labels), British dates, counts with their plurals, and the
findings grouped under the enquiry question they answer. The renderers only lay it out, so the
formats cannot say different things.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contracts.reviews import FindingKind
from reviews.report.schemas import ReportFinding, ReportOut, ReportStatus
from reviews.report.wording import (
    EVIDENCE_KINDS,
    MODES,
    academic_year,
    british_date,
    british_dates,
    count,
    join_and,
    sentence_case,
)

#: The team's roles, in the order the report lists them, with their titles.
ROLE_TITLES: dict[str, str] = {
    "lead_reviewer": "Lead reviewer",
    "reviewer": "Reviewer",
    "shadow": "Shadow reviewer",
    "improvement_champion": "Improvement Champion",
    "assistant_improvement_champion": "Assistant Improvement Champion",
}


@dataclass(frozen=True)
class Names:
    """What the service knows beside the version: the directory's and the taxonomy's words."""

    school: str | None = None
    partnership: str | None = None
    #: (role, name or None) of each member of the team, as the schedule last said.
    team: Sequence[tuple[str, str | None]] = ()
    themes: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class TeamEntry:
    role: str
    name: str


@dataclass(frozen=True)
class FindingEntry:
    text: str
    themes: str  # "Reading and Writing"; empty when the finding has none
    evidence: str  # "2 items of evidence of 2 kinds: lesson visits and pupil voice"
    triangulated: bool
    caveat: str  # why an untriangulated finding is flagged; empty otherwise


@dataclass(frozen=True)
class Group:
    """The findings under one heading (one kind)."""

    title: str
    findings: tuple[FindingEntry, ...]


@dataclass(frozen=True)
class Section:
    """An enquiry question (or "Other findings") with its strengths and areas for
    development; ``groups`` holds only the kinds it has."""

    title: str
    question: str  # the question's text; empty for "Other findings"
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class ReportDocument:
    title: str
    facts: tuple[Fact, ...]
    team: tuple[TeamEntry, ...]
    summary: str
    focus: str  # empty without a focus
    focus_themes: str
    sections: tuple[Section, ...]
    evidence: str  # the evidence summary: a sentence or two
    override: str  # the lead reviewer's reason for publishing untriangulated findings, or ""


_KINDS = (
    (FindingKind.STRENGTH, "Strengths"),
    (FindingKind.AREA_FOR_DEVELOPMENT, "Areas for development"),
)


def _theme_words(codes: Sequence[str], labels: Mapping[str, str]) -> str:
    return join_and([labels.get(code, code) for code in codes])


def _finding(finding: ReportFinding, labels: Mapping[str, str], min_kinds: int) -> FindingEntry:
    kinds = [EVIDENCE_KINDS.get(k, k.value.replace("_", " ")) for k in finding.evidence_kinds]
    evidence = (
        f"{count(finding.evidence_count, 'item')} of evidence of "
        f"{count(len(kinds), 'kind')}: {join_and(kinds)}"
        if kinds
        else "no evidence recorded"
    )
    caveat = (
        ""
        if finding.triangulated
        else f"Not triangulated: it rests on fewer than {count(min_kinds, 'kind')} of evidence."
    )
    return FindingEntry(
        text=finding.text,
        themes=_theme_words(finding.theme_codes, labels),
        evidence=sentence_case(evidence),
        triangulated=finding.triangulated,
        caveat=caveat,
    )


def _groups(
    findings: Sequence[ReportFinding], labels: Mapping[str, str], min_kinds: int
) -> tuple[Group, ...]:
    groups = []
    for kind, title in _KINDS:
        entries = tuple(_finding(f, labels, min_kinds) for f in findings if f.kind == kind)
        if entries:
            groups.append(Group(title=title, findings=entries))
    return tuple(groups)


def _sections(report: ReportOut, labels: Mapping[str, str]) -> tuple[Section, ...]:
    content = report.content
    min_kinds = content.triangulation_min_kinds
    questions = [] if content.focus is None else content.focus.questions
    asked = {q.id for q in questions}
    by_question: dict[uuid.UUID | None, list[ReportFinding]] = {}
    for finding in content.findings:
        key = finding.question_id if finding.question_id in asked else None
        by_question.setdefault(key, []).append(finding)
    sections = [
        Section(
            title=f"Enquiry question {q.number}",
            question=q.text,
            groups=_groups(by_question.get(q.id, []), labels, min_kinds),
        )
        for q in questions
    ]
    if by_question.get(None):
        title = "Other findings" if questions else "Findings"
        sections.append(
            Section(title=title, question="", groups=_groups(by_question[None], labels, min_kinds))
        )
    return tuple(sections)


def _status(report: ReportOut) -> str:
    if report.status is ReportStatus.PUBLISHED and report.published_at is not None:
        return f"Version {report.version}, published {british_date(report.published_at.date())}"
    return f"Draft version {report.version} of {british_date(report.created_at.date())}"


def _evidence(report: ReportOut) -> str:
    content = report.content
    findings = content.findings
    untriangulated = sum(1 for f in findings if not f.triangulated)
    recorded = count(content.evidence_items, "item")
    sentence = (
        f"The team recorded {recorded} of evidence and made {count(len(findings), 'finding')}."
    )
    minimum = count(content.triangulation_min_kinds, "different kind")
    if not findings:
        return sentence
    if untriangulated == 0:
        every = "The finding rests" if len(findings) == 1 else "Every finding rests"
        return f"{sentence} {every} on at least {minimum} of evidence."
    verb = "rests" if untriangulated == 1 else "rest"
    return (
        f"{sentence} {untriangulated} of {count(len(findings), 'finding')} {verb} on fewer than "
        f"{minimum} of evidence."
    )


def _team(names: Names) -> tuple[TeamEntry, ...]:
    order = {role: i for i, role in enumerate(ROLE_TITLES)}
    members = sorted(names.team, key=lambda m: (order.get(m[0], len(order)), m[1] or ""))
    return tuple(
        TeamEntry(
            role=ROLE_TITLES.get(role, role.replace("_", " ").capitalize()),
            name=name or "Name not yet received",
        )
        for role, name in members
    )


def build(report: ReportOut, names: Names) -> ReportDocument:
    """The report's content, in words, from a version and the names held beside it."""
    content = report.content
    labels = dict(names.themes or {})
    school = names.school or content.school.name or f"URN {content.school.urn}"
    facts = [
        Fact("School", f"{school} (URN {content.school.urn})"),
        Fact("Partnership", names.partnership or "Not known"),
        Fact(
            "Review",
            f"{british_dates(content.review_days)}, {MODES.get(content.mode, content.mode)}",
        ),
        Fact("Academic year", academic_year(content.academic_year)),
        Fact("Report", _status(report)),
    ]
    focus = content.focus
    return ReportDocument(
        title=f"Peer review report: {school}",
        facts=tuple(facts),
        team=_team(names),
        summary=report.summary,
        focus="" if focus is None else focus.text,
        focus_themes="" if focus is None else _theme_words(focus.theme_codes, labels),
        sections=_sections(report, labels),
        evidence=_evidence(report),
        override=report.override_reason or "",
    )
