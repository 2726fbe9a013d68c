"""The report as HTML and Markdown (Jinja2), and which of JSON, HTML and Markdown a request
wants (``format`` query, else the Accept header).

HTML is autoescaped by Jinja2. Markdown has no escaping of its own, so every ASCII punctuation
character of the school's and reviewers' text is backslash-escaped (CommonMark makes each a
literal), which also stops raw HTML and links from being written through a finding's text.
"""

from __future__ import annotations

import re
from enum import StrEnum

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from reviews.report.schemas import ReportOut


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    MARKDOWN = "markdown"


MEDIA_TYPES: dict[ReportFormat, str] = {
    ReportFormat.JSON: "application/json",
    ReportFormat.HTML: "text/html",
    ReportFormat.MARKDOWN: "text/markdown",
}
_BY_MEDIA_TYPE = {media: fmt for fmt, media in MEDIA_TYPES.items()}
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_escape(text: object) -> str:
    return _PUNCTUATION.sub(r"\\\1", str(text))


def label(value: object) -> str:
    return str(value).replace("_", " ").capitalize()


def negotiate(format_: ReportFormat | None, accept: str | None) -> ReportFormat | None:
    """The format asked for; ``None`` when the Accept header allows none of ours (406)."""
    if format_ is not None:
        return format_
    if not accept or not accept.strip():
        return ReportFormat.JSON
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranges):
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media]
        if media in ("*/*", "application/*"):
            return ReportFormat.JSON
        if media == "text/*":
            return ReportFormat.HTML
    return None


_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Peer review report: {{ school }}</title></head>
<body>
<h1>Peer review report: {{ school }}</h1>
<p>URN {{ r.content.school.urn }} &middot; {{ r.content.academic_year }} &middot;
review {{ r.content.review_days | join(", ") }} ({{ label(r.content.mode) }}) &middot;
version {{ r.version }} ({{ r.status.value }})</p>
<h2>Summary</h2>
<p>{{ r.summary }}</p>
{% if r.content.focus %}<h2>Focus</h2>
<p>{{ r.content.focus.text }}</p>
<ol>{% for q in r.content.focus.questions %}<li>{{ q.text }}</li>{% endfor %}</ol>
{% endif %}{% for kind, title in sections %}<h2>{{ title }}</h2>
<ul>{% for f in r.content.findings if f.kind.value == kind %}
<li><p>{{ f.text }}</p><p>Themes: {{ f.theme_codes | join(", ") }}.
Evidence: {{ f.evidence_count }} items of {{ f.evidence_kinds | length }} kinds
({{ f.evidence_kinds | map("label") | join(", ") }}){% if not f.triangulated %}
&middot; <strong>not triangulated</strong>{% endif %}.</p></li>{% endfor %}
</ul>
{% endfor %}{% if r.override_reason %}<p>Published with untriangulated findings:
{{ r.override_reason }}</p>{% endif %}
</body>
</html>
"""

_MARKDOWN = """# Peer review report: {{ school | md }}

URN {{ r.content.school.urn }} · {{ r.content.academic_year | md }} · review \
{{ r.content.review_days | join(", ") | md }} ({{ label(r.content.mode) }}) · version \
{{ r.version }} ({{ r.status.value }})

## Summary

{{ r.summary | md }}
{% if r.content.focus %}
## Focus

{{ r.content.focus.text | md }}
{% for q in r.content.focus.questions %}
{{ q.number }}. {{ q.text | md }}{% endfor %}
{% endif %}{% for kind, title in sections %}
## {{ title }}
{% for f in r.content.findings if f.kind.value == kind %}
- {{ f.text | md }}
  Themes: {{ f.theme_codes | join(", ") | md }}. Evidence: {{ f.evidence_count }} items of \
{{ f.evidence_kinds | length }} kinds{% if not f.triangulated %} (not triangulated){% endif %}.
{% endfor %}{% endfor %}{% if r.override_reason %}
Published with untriangulated findings: {{ r.override_reason | md }}
{% endif %}"""

_SECTIONS = [("strength", "Strengths"), ("area_for_development", "Areas for development")]

_environment = Environment(
    loader=DictLoader({"report.html": _HTML, "report.md": _MARKDOWN}),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_environment.filters["md"] = markdown_escape
_environment.filters["label"] = label
_environment.globals["label"] = label


def render(report: ReportOut, format_: ReportFormat) -> str:
    """HTML or Markdown (JSON is the model itself)."""
    name = "report.html" if format_ == ReportFormat.HTML else "report.md"
    school = report.content.school.name or f"URN {report.content.school.urn}"
    return _environment.get_template(name).render(r=report, school=school, sections=_SECTIONS)
