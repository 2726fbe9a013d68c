"""The documentation stays navigable: every relative link of the README, ``docs/`` and the demo's
README reaches a file (and, with ``#anchor``, a heading of it, slugged as GitHub does), every
``make`` target the README names exists, and the README stays short enough to be read. Offline:
links to other sites are not followed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
README_MAX_BYTES = 10_240


def documents() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md")), ROOT / "libs/demo/README.md"]


FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target) and ![alt](target), with an optional "title"; [label]: target definitions.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def code_lines(text: str) -> Iterator[str]:
    """The lines inside fenced code blocks."""
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            yield line


def links(text: str) -> Iterator[tuple[int, str]]:
    """Every link target of the prose (code spans and code blocks are not links)."""
    for number, line in prose_lines(text):
        line = CODE_SPAN.sub("", line)
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1)
        if definition := REFERENCE_DEFINITION.match(line):
            yield number, definition.group(1)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text (link targets, emphasis and code marks dropped),
    lower case, punctuation removed, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    kept = "".join(
        c
        for c in text
        if c in " -_" or unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Mn"
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors a Markdown file offers: its headings (repeats get -1, -2, ...) and HTML ids."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    text = path.read_text(encoding="utf-8")
    for _, line in prose_lines(text):
        if heading := HEADING.match(line):
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ANCHOR.findall(line))
    return found


def broken_links(document: Path) -> list[str]:
    problems = []
    for number, target in links(document.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (document.parent / path_part).resolve() if path_part else document
        where = f"{document.relative_to(ROOT)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file")
        elif anchor:
            if destination.suffix != ".md":
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(destination):
                problems.append(f"{where}: no heading with that anchor")
        if destination.exists() and not destination.is_relative_to(ROOT):
            problems.append(f"{where}: outside the repository")
    return problems


@pytest.mark.parametrize("document", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(document: Path) -> None:
    assert document.exists()
    assert broken_links(document) == []


def test_the_documents_link_to_each_other() -> None:
    # Guards the checker itself: it must find the links that are there.
    found = [target for _, target in links(README.read_text(encoding="utf-8"))]
    assert "docs/developing.md" in found
    assert any("#" in target for target in found)
    every_doc = {p.resolve() for p in documents()}
    linked_from_somewhere = {
        (d.parent / t.partition("#")[0]).resolve()
        for d in documents()
        for _, t in links(d.read_text(encoding="utf-8"))
        if not EXTERNAL.match(t) and t.partition("#")[0]
    }
    orphans = sorted(str(p.relative_to(ROOT)) for p in every_doc - linked_from_somewhere - {README})
    assert orphans == [], f"documents no other document links to: {orphans}"


def test_broken_links_are_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# A title: with `code`, punctuation!\n\n## A title: with `code`, punctuation!\n\n"
        "[ok](#a-title-with-code-punctuation) [second](#a-title-with-code-punctuation-1) "
        "[missing](#nowhere) [gone](absent.md) `[not a link](absent.md)` [web](https://x.invalid/)\n"
        "```\n[in a block](absent.md)\n```\n",
        encoding="utf-8",
    )
    targets = [target for _, target in links(page.read_text(encoding="utf-8"))]
    assert targets == [
        "#a-title-with-code-punctuation",
        "#a-title-with-code-punctuation-1",
        "#nowhere",
        "absent.md",
        "https://x.invalid/",
    ]
    assert anchors(page) == {"a-title-with-code-punctuation", "a-title-with-code-punctuation-1"}


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("HTTP conventions (see `common.http`)", "http-conventions-see-commonhttp"),
        ("Webhooks (Standard Webhooks)", "webhooks-standard-webhooks"),
        ("The demo county (`make demo`)", "the-demo-county-make-demo"),
        (
            "2. The consumer: handler and inbox in one transaction, then ack",
            "2-the-consumer-handler-and-inbox-in-one-transaction-then-ack",
        ),
        ("Knowledge: a county's ten years", "knowledge-a-countys-ten-years"),
        (
            "Who sees the schedule; meetings and calendar feeds",
            "who-sees-the-schedule-meetings-and-calendar-feeds",
        ),
        ("snake_case stays", "snake_case-stays"),
    ],
)
def test_slugs_are_githubs(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def makefile_targets() -> set[str]:
    pattern = re.compile(r"^([a-zA-Z][\w-]*)\s*:(?![:=])")
    return {m.group(1) for line in MAKEFILE.read_text().splitlines() if (m := pattern.match(line))}


def make_targets_named(text: str) -> set[str]:
    """The targets of every ``make ...`` command in code spans and code blocks (options and
    VAR=value assignments skipped)."""
    code = [m.group(2) for _, line in prose_lines(text) for m in CODE_SPAN.finditer(line)]
    code += list(code_lines(text))
    targets = set()
    for snippet in code:
        for command in re.finditer(r"(?:^|[\s$(;&|])make((?:\s+[^\s;&|)`]+)+)", snippet):
            for word in command.group(1).split():
                if word.startswith("-") or "=" in word or word.startswith(("'", '"')):
                    continue
                if re.fullmatch(r"[a-zA-Z][\w-]*", word):
                    targets.add(word)
                break
    return targets


def test_every_make_target_of_the_readme_exists() -> None:
    named = make_targets_named(README.read_text(encoding="utf-8"))
    assert {"run", "test"} <= named
    assert sorted(named - makefile_targets()) == []


def test_make_targets_are_read_from_code_only() -> None:
    text = (
        "make sure of it\n`make -s token SCOPE=x` and `make demo DEMO_ARGS=1`\n"
        "```sh\nmake run\n```\n"
    )
    assert make_targets_named(text) == {"token", "demo", "run"}


def test_readme_fits_on_a_few_screens() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/"
