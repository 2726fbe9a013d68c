"""The report's content model (:mod:`reviews.report.document`) laid out as Markdown, HTML and
print-ready HTML (Jinja2), and which format a request wants (``format`` query, else Accept).

HTML is autoescaped by Jinja2. Markdown has no escaping of its own, so the school's and
reviewers' words are escaped only where CommonMark would read them as markup: the characters
that open emphasis, code, links, images and raw HTML anywhere in a line, and the markers that
start a heading, quote, list or break at the start of a line. Everything else (full stops,
brackets, hyphens inside a sentence, apostrophes) is left as typed, so the Markdown reads as
text.
"""

from __future__ import annotations

import re
from enum import StrEnum

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from reviews.report.document import ReportDocument


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    MARKDOWN = "markdown"
    #: The HTML with a print style sheet (A4, no breaks inside a finding): for paper or PDF.
    PRINT = "print"


MEDIA_TYPES: dict[ReportFormat, str] = {
    ReportFormat.JSON: "application/json",
    ReportFormat.HTML: "text/html",
    ReportFormat.MARKDOWN: "text/markdown",
    ReportFormat.PRINT: "text/html",
}
_BY_MEDIA_TYPE = {
    "application/json": ReportFormat.JSON,
    "text/html": ReportFormat.HTML,
    "text/markdown": ReportFormat.MARKDOWN,
}
OFFERED = list(_BY_MEDIA_TYPE)

# Markup anywhere in a line: code, emphasis, links and images, raw HTML and autolinks,
# strikethrough, and a backslash (which would escape what follows it).
_INLINE = re.compile(r"([\\`*\[\]<~])")
# "_" opens emphasis only at a word's edge (CommonMark): snake_case is left alone.
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# "&" only where it would start an entity ("&amp;"), never in "Smith & Jones".
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# At the start of a line: a heading ("# "), a quote, a list item ("- ", "+ "), a thematic
# break or setext underline ("---", "==="); and an ordered list item ("1. ", "2) ").
_BLOCK_START = re.compile(r"#{1,6}(?=\s|$)|>|[-+](?=\s|$)|[-=][-=\s]*$")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _escape_line(line: str) -> str:
    line = _INLINE.sub(r"\\\1", line.strip())
    line = _UNDERSCORE.sub(r"\\_", line)
    line = _ENTITY.sub(r"\\&", line)
    if _BLOCK_START.match(line):
        line = "\\" + line
    return _ORDERED.sub(r"\1\\\2", line)


def markdown_text(text: object, indent: int = 0) -> str:
    """Text as Markdown that renders to the same words: paragraphs kept (blank lines), each
    line escaped where it needs it; continuation lines indented by ``indent`` (a list item's)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]
    pad = " " * indent
    lines = (f"\n{pad}".join(_escape_line(line) for line in p.splitlines()) for p in paragraphs)
    return f"\n\n{pad}".join(lines)


def html_paragraphs(text: object) -> list[str]:
    """The paragraphs of a text (blank lines apart), for ``<p>`` each."""
    return [p.strip() for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]


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


# One body for both HTML formats; the print format adds only a style sheet.
_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{{ d.title }}</title>
{% if print %}<style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 11pt; line-height: 1.4;
  color: #000; max-width: none; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 14pt 0 4pt; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 10pt 0 3pt; break-after: avoid; page-break-after: avoid; }
li, section > p { break-inside: avoid; page-break-inside: avoid; }
section { break-before: auto; }
</style>
{% endif %}</head>
<body>
<h1>{{ d.title }}</h1>
<ul>
{% for f in d.facts %}<li><strong>{{ f.label }}:</strong> {{ f.value }}</li>
{% endfor %}</ul>
{% if d.team %}<h2>The review team</h2>
<ul>
{% for m in d.team %}<li>{{ m.role }}: {{ m.name }}</li>
{% endfor %}</ul>
{% endif %}<h2>Summary</h2>
{% for p in paragraphs(d.summary) %}<p>{{ p }}</p>
{% endfor %}{% if d.focus %}<h2>Focus</h2>
{% for p in paragraphs(d.focus) %}<p>{{ p }}</p>
{% endfor %}{% if d.focus_themes %}<p>Themes: {{ d.focus_themes }}.</p>
{% endif %}{% endif %}{% for s in d.sections %}<section>
<h2>{{ s.title }}</h2>
{% if s.question %}<p><em>{{ s.question }}</em></p>
{% endif %}{% for g in s.groups %}<h3>{{ g.title }}</h3>
<ul>
{% for f in g.findings %}<li>{% for p in paragraphs(f.text) %}<p>{{ p }}</p>{% endfor %}
<p>{% if f.themes %}Themes: {{ f.themes }}. {% endif %}{{ f.evidence }}.{% if f.caveat %}
<strong>{{ f.caveat }}</strong>{% endif %}</p></li>
{% endfor %}</ul>
{% else %}<p>No findings were recorded against this question.</p>
{% endfor %}</section>
{% endfor %}<h2>Evidence</h2>
<p>{{ d.evidence }}</p>
{% if d.override %}<p>Published with untriangulated findings: {{ d.override }}</p>
{% endif %}</body>
</html>
"""

_MARKDOWN = """# {{ d.title | md }}
{% for f in d.facts %}
- **{{ f.label }}:** {{ f.value | md(2) }}{% endfor %}
{% if d.team %}
## The review team
{% for m in d.team %}
- {{ m.role }}: {{ m.name | md(2) }}{% endfor %}
{% endif %}
## Summary

{{ d.summary | md }}
{% if d.focus %}
## Focus

{{ d.focus | md }}
{% if d.focus_themes %}
Themes: {{ d.focus_themes | md }}.
{% endif %}{% endif %}{% for s in d.sections %}
## {{ s.title }}
{% if s.question %}
*{{ s.question | md }}*
{% endif %}{% for g in s.groups %}
### {{ g.title }}
{% for f in g.findings %}
- {{ f.text | md(2) }}

  {% if f.themes %}Themes: {{ f.themes | md(2) }}. {% endif %}{{ f.evidence | md(2) }}.\
{% if f.caveat %}
  **{{ f.caveat | md(2) }}**{% endif %}
{% endfor %}{% else %}
No findings were recorded against this question.
{% endfor %}{% endfor %}
## Evidence

{{ d.evidence | md }}
{% if d.override %}
Published with untriangulated findings: {{ d.override | md }}
{% endif %}"""

_environment = Environment(
    loader=DictLoader({"report.html": _HTML, "report.md": _MARKDOWN}),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_environment.filters["md"] = markdown_text
_environment.globals["paragraphs"] = html_paragraphs


def render(document: ReportDocument, format_: ReportFormat) -> str:
    """Markdown, HTML or print-ready HTML of the one content model (JSON is the version)."""
    if format_ == ReportFormat.MARKDOWN:
        return _environment.get_template("report.md").render(d=document)
    template = _environment.get_template("report.html")
    return template.render(d=document, print=format_ == ReportFormat.PRINT)
