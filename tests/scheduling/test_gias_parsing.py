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
                **{
                    "Trusts (code)": "16234",
                    "Trusts (name)": "Chelmer Learning Trust",
                    "Unrelated (code)": "x",
                    "AnotherNewColumn": "y",
                },
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
        "trust_name": "Chelmer Learning Trust",
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


# --- files as people re-save them: UTF-8 (with or without a BOM), Windows-1252, neither, both

NAMES = (
    "Notre Dame Prep\u00e9 School",
    "St Mary\u2019s C of E Primary",
    "\u00c9cole Fran\u00e7aise",
)


def _extract(encoding: str) -> bytes:
    rows = [establishment(115000 + i, EstablishmentName=n) for i, n in enumerate(NAMES)]
    return to_cp1252(ESTABLISHMENT_COLUMNS, rows).decode("cp1252").encode(encoding)


def _names(data: bytes) -> list[str]:
    return [row.get("EstablishmentName") for row in _rows(data)]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp1252", "cp1252"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")],
)
def test_each_encoding_reads_the_same_names(encoding: str, detected: str) -> None:
    data = _extract(encoding)
    assert parsing.detect_encoding(io.BytesIO(data)) == detected
    assert _names(data) == list(NAMES)  # never "Prep\u00c3\u00a9"


def test_a_bom_never_hides_the_urn_column() -> None:
    data = b"\xef\xbb\xbf" + b"URN,LA (code),EstablishmentName,TypeOfEstablishment (name),"
    data += b"PhaseOfEducation (name),EstablishmentStatus (name)\r\n"
    data += b"115000,881,Oak,Community school,Primary,Open\r\n"
    [row] = _rows(data)
    assert parsing.parse_urn(row.get("URN")) == 115000


def test_an_ascii_file_is_read_as_published() -> None:
    data = b"URN,LinkURN,LinkType\r\n115000,115001,Successor\r\n"
    assert parsing.detect_encoding(io.BytesIO(data)) == "cp1252"
    assert len(_rows(data, parsing.LINKS)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # A UTF-8 file with a row pasted in from the Windows-1252 original.
        (_extract("utf-8") + "Prep\u00e9,x\r\n".encode("cp1252"), r"mixes UTF-8 \(line 2\)"),
        # The other way round: UTF-8 rows appended to the DfE file.
        (_extract("cp1252") + "Prep\u00e9,x\r\n".encode(), r"Windows-1252 \(line 2\)"),
        # Both on one line.
        (_extract("cp1252")[:-2] + "Caf\u00e9".encode() + b"\r\n", "mixes UTF-8 .line 4."),
        # A BOM, then Windows-1252 text.
        (_extract("utf-8-sig").replace("Prep\u00e9".encode(), b"Prep\xe9"), "byte order mark"),
        # 0x81 has no character in Windows-1252 and is not UTF-8.
        (_extract("cp1252").replace(b"Oak", b"O\x81k") + b"\x81\r\n", "neither UTF-8 nor"),
        ("URN,LinkURN\r\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_a_file_in_neither_or_both_encodings_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(parsing.EncodingError, match=message):
        _rows(data)
