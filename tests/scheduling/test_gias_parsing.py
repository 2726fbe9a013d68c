"""Reading GIAS extracts in the real layout: cp1252, columns by header name, DD-MM-YYYY."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bench.gias_extract import ESTABLISHMENT_COLUMNS, establishment, to_cp1252
from contracts.directory import Phase, SchoolStatus
from scheduling.directory.gias import parsing


def _rows(data: bytes, layout: parsing.Layout = parsing.ESTABLISHMENTS) -> list[parsing.Row]:
    return list(parsing.read_rows(io.BytesIO(data), layout))


def test_cp1252_with_reordered_and_extra_columns() -> None:
    columns = ("Unrelated (code)", *reversed(ESTABLISHMENT_COLUMNS), "AnotherNewColumn")
    data = to_cp1252(
        columns,
        [
            establishment(
                115000,
                EstablishmentName="St Mary\u2019s C of E Primary School",
                Town="P\u00caCHEUR",
                **{"Trusts (code)": "16234", "Unrelated (code)": "x", "AnotherNewColumn": "y"},
            )
        ],
    )
    assert "\u2019".encode("cp1252") in data  # one byte, 0x92, as DfE writes it
    [row] = _rows(data)
    values = parsing.parse_establishment(row, parsing.parse_la(row))
    assert values == {
        "urn": 115000,
        "name": "St Mary\u2019s C of E Primary School",
        "phase": Phase.PRIMARY,
        "la_code": "881",
        "establishment_number": "5000",
        "trust_uid": "16234",
        "postcode": "CM1 2AB",
        "easting": 570500,
        "northing": 207800,
        "status": SchoolStatus.OPEN,
        "open_date": date(1974, 9, 1),
        "close_date": None,
    }
    assert row.line == 2


@pytest.mark.parametrize(
    ("phase", "type_", "expected"),
    [
        ("Primary", "Community school", Phase.PRIMARY),
        ("Secondary", "Academy converter", Phase.SECONDARY),
        ("Middle deemed primary", "Community school", Phase.MIDDLE_DEEMED_PRIMARY),
        ("16 plus", "Further education", Phase.SIXTEEN_PLUS),
        ("All-through", "Free schools", Phase.ALL_THROUGH),
        ("Nursery", "Local authority nursery school", Phase.NURSERY),
        ("Not applicable", "Community special school", Phase.SPECIAL),
        ("Not applicable", "Academy special converter", Phase.SPECIAL),
        ("Not applicable", "Pupil referral unit", Phase.NOT_APPLICABLE),
    ],
)
def test_phases(phase: str, type_: str, expected: Phase) -> None:
    data = to_cp1252(
        ESTABLISHMENT_COLUMNS,
        [
            establishment(
                115000,
                **{"PhaseOfEducation (name)": phase, "TypeOfEstablishment (name)": type_},
            )
        ],
    )
    [row] = _rows(data)
    assert parsing.parse_establishment(row, "881")["phase"] is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Open", SchoolStatus.OPEN),
        ("Closed", SchoolStatus.CLOSED),
        ("Open, but proposed to close", SchoolStatus.PROPOSED_TO_CLOSE),
        ("Proposed to open", SchoolStatus.PROPOSED_TO_OPEN),
    ],
)
def test_statuses(status: str, expected: SchoolStatus) -> None:
    data = to_cp1252(
        ESTABLISHMENT_COLUMNS,
        [establishment(115000, **{"EstablishmentStatus (name)": status})],
    )
    [row] = _rows(data)
    assert parsing.parse_establishment(row, "881")["status"] is expected


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("URN", "11500A", "URN '11500A' is not a six-digit number"),
        ("LA (code)", "88", "LA (code) '88' is not a known LA code"),
        ("OpenDate", "31-02-2001", "OpenDate '31-02-2001' is not a date"),
        ("CloseDate", "2001-09-01", "CloseDate '2001-09-01' is not a date"),
        ("Easting", "57O500", "Easting '57O500' is not a whole number"),
        ("Northing", "-5", "Northing -5 is outside"),
        ("PhaseOfEducation (name)", "Tertiary", "PhaseOfEducation 'Tertiary' is not"),
    ],
)
def test_bad_rows_say_why(column: str, value: str, message: str) -> None:
    [row] = _rows(to_cp1252(ESTABLISHMENT_COLUMNS, [establishment(115000, **{column: value})]))
    with pytest.raises(parsing.RowError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parsing.parse_establishment(row, parsing.parse_la(row))


def test_line_numbers_count_physical_lines() -> None:
    data = to_cp1252(
        ESTABLISHMENT_COLUMNS,
        [
            establishment(115000, Street="Church Lane\r\nBack Entrance"),
            establishment(115001),
        ],
    )
    assert [row.line for row in _rows(data)] == [2, 4]


def test_a_file_without_the_columns_is_refused() -> None:
    with pytest.raises(parsing.MissingColumnsError, match="PhaseOfEducation"):
        _rows(b"URN,LA (code),EstablishmentName,TypeOfEstablishment (name)\r\n1,2,3,4\r\n")
