"""Reading the GIAS extracts as DfE publishes them: Windows-1252 CSV, columns found by header
name (their order and number change between releases), dates ``DD-MM-YYYY``.

Files also arrive re-saved by people: as UTF-8, often with a byte order mark. The encoding is
found by reading the file once before any row is used (:func:`detect_encoding`); a file that is
neither, or mixes both, is refused rather than imported as mojibake.

Pure functions: a row becomes the values we store, or a :class:`RowError` saying why not.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from contracts.directory import Phase, SchoolStatus

ENCODING = "cp1252"  # as DfE publishes
UTF8, UTF8_BOM = "utf-8", "utf-8-sig"
_BOM_UTF8 = b"\xef\xbb\xbf"
_BOMS_UTF16_32 = (b"\xff\xfe", b"\xfe\xff")  # UTF-32 LE starts like UTF-16 LE
# A well-formed UTF-8 multi-byte character: in a line that is not UTF-8 it means the file mixes
# the two (Windows-1252 text almost never has a lead byte followed by continuation bytes).
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

PHASES = {
    "nursery": Phase.NURSERY,
    "primary": Phase.PRIMARY,
    "middle deemed primary": Phase.MIDDLE_DEEMED_PRIMARY,
    "secondary": Phase.SECONDARY,
    "middle deemed secondary": Phase.MIDDLE_DEEMED_SECONDARY,
    "16 plus": Phase.SIXTEEN_PLUS,
    "all-through": Phase.ALL_THROUGH,
    "not applicable": Phase.NOT_APPLICABLE,
}
STATUSES = {
    "open": SchoolStatus.OPEN,
    "closed": SchoolStatus.CLOSED,
    "open, but proposed to close": SchoolStatus.PROPOSED_TO_CLOSE,
    "proposed to open": SchoolStatus.PROPOSED_TO_OPEN,
}
# GIAS group types that are trusts (federations and sponsors are not).
TRUST_TYPES = frozenset({"multi-academy trust", "single-academy trust", "trust", "umbrella trust"})

_LA = re.compile(r"^\d{3}$")
_DATE = re.compile(r"^(\d{2})[-/](\d{2})[-/](\d{4})(?: .*)?$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000


class RowError(ValueError):
    """This row cannot be imported; the message says why (shown to the caller)."""


class MissingColumnsError(ValueError):
    """The file lacks columns we need: it is not the extract it claims to be."""


class EncodingError(MissingColumnsError):
    """The file is neither UTF-8 nor Windows-1252, or mixes them. A MissingColumnsError, so
    the import job refuses the file as it refuses one that is not an extract."""


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return True


def _is_cp1252(line: bytes, number: int) -> bool:
    """True, or :class:`EncodingError`: five bytes have no character in Windows-1252."""
    try:
        line.decode(ENCODING)
    except UnicodeDecodeError:
        raise EncodingError(
            f"line {number} is neither UTF-8 nor Windows-1252 text: save the file as CSV UTF-8"
        ) from None
    return True


def detect_encoding(raw: IO[bytes]) -> str:
    """``utf-8-sig`` (a BOM), ``utf-8`` or ``cp1252``, from reading the whole (seekable) file,
    which is left where it was. Line by line: a newline byte never falls inside a character
    in either encoding. Raises :class:`EncodingError` naming the lines at fault."""
    start = raw.tell()
    try:
        head = raw.read(4)
        if head.startswith(_BOMS_UTF16_32):
            raise EncodingError("the file is UTF-16 or UTF-32 text: save it as CSV UTF-8")
        has_bom = head.startswith(_BOM_UTF8)
        raw.seek(start)
        first_utf8 = first_cp1252 = 0
        for number, line in enumerate(raw, start=1):
            if number == 1 and has_bom:
                line = line[len(_BOM_UTF8) :]
            if line.isascii():
                continue
            if _is_utf8(line):
                first_utf8 = first_utf8 or number
            elif _is_cp1252(line, number):
                first_cp1252 = first_cp1252 or number
                if _UTF8_CHARACTER.search(line):  # both on one line
                    first_utf8 = first_utf8 or number
            if first_cp1252 and (first_utf8 or has_bom):
                utf8 = f"line {first_utf8}" if first_utf8 else "the byte order mark"
                raise EncodingError(
                    f"the file mixes UTF-8 ({utf8}) and Windows-1252 (line {first_cp1252}) "
                    "text: save it again in one encoding, as CSV UTF-8"
                )
    finally:
        raw.seek(start)
    if has_bom:
        return UTF8_BOM
    return UTF8 if first_utf8 else ENCODING


@dataclass(frozen=True)
class Layout:
    """The columns one extract needs (by header name) and the ones it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


ESTABLISHMENTS = Layout(
    required=(
        "URN",
        "LA (code)",
        "EstablishmentName",
        "TypeOfEstablishment (name)",
        "PhaseOfEducation (name)",
        "EstablishmentStatus (name)",
    ),
    optional=(
        "EstablishmentNumber",
        "Trusts (code)",
        "Trusts (name)",
        "Postcode",
        "Easting",
        "Northing",
        "OpenDate",
        "CloseDate",
    ),
)
GROUPS = Layout(
    required=("Group UID", "Group Name", "Group Type", "Group Status"),
    optional=("Companies House Number", "Open date", "Closed Date"),
)
LINKS = Layout(
    required=("URN", "LinkURN", "LinkType"),
    optional=("LinkName", "LinkEstablishedDate"),
)


def _normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


class Row:
    """One data row, its cells looked up by header name."""

    __slots__ = ("_cells", "_index", "line")

    def __init__(self, line: int, cells: Sequence[str], index: dict[str, int]) -> None:
        self.line = line
        self._cells = cells
        self._index = index

    def get(self, column: str) -> str:
        """The cell, stripped. A NUL in a cell the import reads rejects the row on both
        databases alike (PostgreSQL cannot store it; SQLite would)."""
        position = self._index.get(column)
        if position is None or position >= len(self._cells):
            return ""
        cell = self._cells[position]
        if "\x00" in cell:
            raise RowError(f"{column} contains the NUL character (U+0000), which cannot be stored")
        return cell.strip()


def read_rows(raw: IO[bytes], layout: Layout) -> Generator[Row, None, None]:
    """Stream the rows of a binary CSV file; ``Row.line`` is the physical line number (the
    header is line 1). Raises :class:`MissingColumnsError` (:class:`EncodingError` for a
    file in neither encoding, or in both) before the first row."""
    if not raw.seekable():
        raw = io.BytesIO(raw.read())
    encoding = detect_encoding(raw)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
    try:
        yield from _rows(csv.reader(text), layout)
    finally:
        if not raw.closed:
            text.detach()  # the caller's file stays open (it reads the position for progress)


def _rows(reader: Any, layout: Layout) -> Iterator[Row]:
    try:
        header = next(reader)
    except StopIteration as exc:
        raise MissingColumnsError("the file is empty") from exc
    positions = {_normalise_header(name): i for i, name in enumerate(header)}
    index: dict[str, int] = {}
    missing = []
    for column in (*layout.required, *layout.optional):
        position = positions.get(_normalise_header(column))
        if position is not None:
            index[column] = position
        elif column in layout.required:
            missing.append(column)
    if missing:
        raise MissingColumnsError(f"missing column(s): {', '.join(missing)}")
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield Row(start, cells, index)


def parse_urn(value: str, column: str = "URN") -> int:
    if not value.isdigit() or not 100000 <= int(value) <= 999999:
        raise RowError(f"{column} {value!r} is not a six-digit number")
    return int(value)


def parse_date(value: str, column: str) -> date | None:
    if not value:
        return None
    match = _DATE.match(value)
    if match is None:
        raise RowError(f"{column} {value!r} is not a date (DD-MM-YYYY)")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise RowError(f"{column} {value!r} is not a date (DD-MM-YYYY)") from exc


def _parse_metres(value: str, column: str, maximum: int) -> int | None:
    if not value:
        return None
    try:
        metres = int(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a whole number of metres") from None
    if not 0 <= metres <= maximum:
        raise RowError(f"{column} {metres} is outside 0..{maximum}")
    return metres


def _parse_postcode(value: str) -> str | None:
    compact = "".join(value.split()).upper()
    if len(compact) < 5:
        return None
    postcode = f"{compact[:-3]} {compact[-3:]}"
    return postcode if _POSTCODE.match(postcode) else None


def parse_la(row: Row) -> str:
    la_code = row.get("LA (code)")
    if not _LA.match(la_code) or la_code == "000":
        raise RowError(f"LA (code) {la_code!r} is not a known LA code")
    return la_code


def parse_establishment(row: Row, la_code: str) -> dict[str, Any]:
    """The school values of an establishments row (``la_code`` already parsed)."""
    urn = parse_urn(row.get("URN"))
    name = row.get("EstablishmentName")
    if not name or len(name) > 200:
        raise RowError("EstablishmentName is empty or longer than 200 characters")
    phase_name = row.get("PhaseOfEducation (name)")
    phase = PHASES.get(phase_name.casefold())
    if phase is None:
        raise RowError(f"PhaseOfEducation {phase_name!r} is not a GIAS phase")
    if (
        phase is Phase.NOT_APPLICABLE
        and "special" in row.get("TypeOfEstablishment (name)").casefold()
    ):
        phase = Phase.SPECIAL
    status_name = row.get("EstablishmentStatus (name)")
    status = STATUSES.get(status_name.casefold())
    if status is None:
        raise RowError(f"EstablishmentStatus {status_name!r} is not a GIAS status")
    number = row.get("EstablishmentNumber")
    trust = row.get("Trusts (code)")
    if trust and (not trust.isdigit() or len(trust) > 10):
        raise RowError(f"Trusts (code) {trust!r} is not a Group UID")
    return {
        "urn": urn,
        "name": name,
        "phase": phase,
        "la_code": la_code,
        "establishment_number": number if len(number) == 4 and number.isdigit() else None,
        "trust_uid": trust or None,
        "trust_name": (row.get("Trusts (name)")[:200] or None) if trust else None,
        "postcode": _parse_postcode(row.get("Postcode")),
        "easting": _parse_metres(row.get("Easting"), "Easting", MAX_EASTING),
        "northing": _parse_metres(row.get("Northing"), "Northing", MAX_NORTHING),
        "status": status,
        "open_date": parse_date(row.get("OpenDate"), "OpenDate"),
        "close_date": parse_date(row.get("CloseDate"), "CloseDate"),
    }


def parse_group(row: Row) -> dict[str, Any] | None:
    """The trust values of a groups row; None for a group that is not a trust."""
    uid = row.get("Group UID")
    if not uid.isdigit() or len(uid) > 10:
        raise RowError(f"Group UID {uid!r} is not a number")
    group_type = row.get("Group Type")
    if group_type.casefold() not in TRUST_TYPES:
        return None
    name = row.get("Group Name")
    if not name or len(name) > 200:
        raise RowError("Group Name is empty or longer than 200 characters")
    companies_house = row.get("Companies House Number")
    return {
        "uid": uid,
        "name": name,
        "group_type": group_type[:60],
        "status": row.get("Group Status")[:40],
        "companies_house_number": companies_house[:10] or None,
        "open_date": parse_date(row.get("Open date"), "Open date"),
        "close_date": parse_date(row.get("Closed Date"), "Closed Date"),
    }


def parse_link(row: Row) -> dict[str, Any]:
    link_type = row.get("LinkType")
    if not link_type or len(link_type) > 60:
        raise RowError(f"LinkType {link_type!r} is empty or too long")
    name = row.get("LinkName")
    return {
        "urn": parse_urn(row.get("URN")),
        "linked_urn": parse_urn(row.get("LinkURN"), "LinkURN"),
        "link_type": link_type,
        "linked_name": name[:200] or None,
        "established_on": parse_date(row.get("LinkEstablishedDate"), "LinkEstablishedDate"),
    }
