"""Short aligned text tables for the views: a one-line heading, the column names, a rule,
the rows (numbers right-aligned, long text cut to fit)."""

from __future__ import annotations

from collections.abc import Sequence

MAX_CELL = 38
Cell = str | int | float | None
# A figure withheld so that no school can be singled out: it stands in a column of numbers.
SUPPRESSED = "suppressed"


def _text(value: Cell, limit: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _figure(value: Cell) -> bool:
    """A number, a percentage or a suppressed figure: right-aligned."""
    if isinstance(value, int | float) or value == SUPPRESSED:
        return True
    return isinstance(value, str) and value.endswith("%") and value[:-1].isdigit()


def table(
    heading: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    indent: int = 4,
    limit: int = MAX_CELL,
) -> list[str]:
    """Lines to print; a table without rows says so on its heading line."""
    pad = " " * (indent - 2)
    if not rows:
        return [f"{pad}{heading}: none"]
    cells = [[_text(v, limit) for v in row] for row in rows]
    numeric = [
        all(_figure(row[i]) or row[i] is None for row in rows) and any(_figure(r[i]) for r in rows)
        for i in range(len(columns))
    ]
    columns = [_text(c, limit) for c in columns]
    widths = [max(len(columns[i]), *(len(r[i]) for r in cells)) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return (" " * indent + "  ".join(parts)).rstrip()

    return [f"{pad}{heading}", line(columns), " " * indent + "  ".join("-" * w for w in widths)] + [
        line(r) for r in cells
    ]
