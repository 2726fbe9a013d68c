"""The county as DfE would publish it: ``edubasealldataYYYYMMDD.csv`` (open schools and the
closed maintained schools academies converted from), ``allgroupsdata.csv`` (the trusts) and
``links_edubasealldataYYYYMMDD.csv`` (predecessor and successor links, both ways)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

from demo.county.model import ClosedPredecessor, County, School, Trust
from demo.county.names import TITLES
from demo.gias.layout import (
    ESTABLISHMENT_COLUMNS,
    GROUP_COLUMNS,
    LINK_COLUMNS,
    establishment,
    to_cp1252,
)

TYPE_CODES = {
    "Community school": ("1", "4", "Local authority maintained schools"),
    "Voluntary aided school": ("2", "4", "Local authority maintained schools"),
    "Voluntary controlled school": ("3", "4", "Local authority maintained schools"),
    "Foundation school": ("5", "4", "Local authority maintained schools"),
    "Community special school": ("7", "5", "Special schools"),
    "Foundation special school": ("12", "5", "Special schools"),
    "Academy sponsor led": ("28", "10", "Academies"),
    "Academy converter": ("34", "10", "Academies"),
    "Academy special converter": ("44", "10", "Academies"),
}
PHASE_CODES = {"Not applicable": "0", "Primary": "2", "Secondary": "4", "All-through": "7"}
DIOCESES = {
    "Church of England": ("CE23", "Diocese of Chelmsford"),
    "Roman Catholic": ("RC07", "Diocese of Brentwood"),
}
GROUP_TYPE_CODES = {"Multi-academy trust": "06", "Single-academy trust": "10"}


@dataclass(frozen=True)
class Extracts:
    """The three files, named as DfE names them, ready for ``POST /v1/imports``."""

    extract_date: date
    establishments: bytes
    groups: bytes
    links: bytes

    def files(self) -> dict[str, tuple[str, bytes, str]]:
        stamp = self.extract_date.strftime("%Y%m%d")
        return {
            "establishments": (f"edubasealldata{stamp}.csv", self.establishments, "text/csv"),
            "groups": ("allgroupsdata.csv", self.groups, "text/csv"),
            "links": (f"links_edubasealldata{stamp}.csv", self.links, "text/csv"),
        }


def _gias_date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _school_row(county: County, school: School, head: tuple[str, str, str]) -> dict[str, object]:
    type_code, group_code, group_name = TYPE_CODES[school.gias_type]
    trust = next((t for t in county.trusts if t.uid == school.trust_uid), None)
    diocese = DIOCESES.get(school.religious_character or "", ("0000", "Not applicable"))
    title, first, last = head
    return establishment(
        school.urn,
        **{
            "LA (code)": county.la_code,
            "LA (name)": county.la_name,
            "EstablishmentNumber": school.establishment_number,
            "EstablishmentName": school.name,
            "TypeOfEstablishment (code)": type_code,
            "TypeOfEstablishment (name)": school.gias_type,
            "EstablishmentTypeGroup (code)": group_code,
            "EstablishmentTypeGroup (name)": group_name,
            "ReasonEstablishmentOpened (name)": "Academy Converter"
            if school.predecessor_urn
            else "Not applicable",
            "OpenDate": _gias_date(school.opened_on),
            "PhaseOfEducation (code)": PHASE_CODES[school.gias_phase],
            "PhaseOfEducation (name)": school.gias_phase,
            "StatutoryLowAge": school.low_age,
            "StatutoryHighAge": school.high_age,
            "OfficialSixthForm (name)": "Has a sixth form" if school.high_age >= 18 else "None",
            "ReligiousCharacter (name)": school.religious_character or "Does not apply",
            "Diocese (code)": diocese[0],
            "Diocese (name)": diocese[1],
            "SchoolCapacity": round(school.pupils * 1.1),
            "NumberOfPupils": school.pupils,
            "TrustSchoolFlag (name)": "Supported by a multi-academy trust"
            if trust and trust.group_type == "Multi-academy trust"
            else "Supported by a single-academy trust"
            if trust
            else "Not applicable",
            "Trusts (code)": trust.uid if trust else "",
            "Trusts (name)": trust.name if trust else "",
            "Street": school.street,
            "Town": school.town,
            "Postcode": school.postcode,
            "HeadTitle (name)": title,
            "HeadFirstName": first,
            "HeadLastName": last,
            "HeadPreferredJobTitle": "Headteacher",
            "Easting": school.easting,
            "Northing": school.northing,
            "DistrictAdministrative (name)": school.town,
        },
    )


def _closed_row(county: County, closed: ClosedPredecessor, successor: School) -> dict[str, object]:
    type_code, group_code, group_name = TYPE_CODES[closed.gias_type]
    return establishment(
        closed.urn,
        **{
            "LA (code)": county.la_code,
            "LA (name)": county.la_name,
            "EstablishmentNumber": closed.establishment_number,
            "EstablishmentName": closed.name,
            "TypeOfEstablishment (code)": type_code,
            "TypeOfEstablishment (name)": closed.gias_type,
            "EstablishmentTypeGroup (code)": group_code,
            "EstablishmentTypeGroup (name)": group_name,
            "EstablishmentStatus (code)": "2",
            "EstablishmentStatus (name)": "Closed",
            "ReasonEstablishmentClosed (name)": "Academy Converter",
            "OpenDate": "01-09-1974",
            "CloseDate": _gias_date(closed.closed_on),
            "PhaseOfEducation (code)": PHASE_CODES[successor.gias_phase],
            "PhaseOfEducation (name)": successor.gias_phase,
            "NumberOfPupils": "",
            "Street": successor.street,
            "Town": successor.town,
            "Postcode": successor.postcode,
            "Easting": successor.easting,
            "Northing": successor.northing,
        },
    )


def _group_row(trust: Trust) -> dict[str, object]:
    return {
        "Group UID": trust.uid,
        "Group ID": f"TR{int(trust.uid):05d}",
        "Group Name": trust.name,
        "Companies House Number": trust.companies_house_number,
        "Group Type (code)": GROUP_TYPE_CODES[trust.group_type],
        "Group Type": trust.group_type,
        "Group Status (code)": "OPEN",
        "Group Status": "Open",
        "Group Contact County": "Essex",
        "Incorporated on (open date)": _gias_date(trust.opened_on),
        "Open date": _gias_date(trust.opened_on),
    }


def heads_of(county: County) -> dict[int, tuple[str, str, str]]:
    """Each school's head as (title, first name, last name), as GIAS lists them."""
    heads = {}
    for person in county.people:
        if any(r.role == "headteacher" for r in person.roles):
            first, last = person.name.split(" ", 1)
            heads[person.school] = (
                TITLES[zlib.crc32(person.email.encode()) % len(TITLES)],
                first,
                last,
            )
    return heads


def county_extracts(county: County) -> Extracts:
    heads = heads_of(county)
    by_urn = {s.urn: s for s in county.schools}
    schools = [_school_row(county, s, heads.get(s.urn, ("", "", ""))) for s in county.schools]
    closed = [_closed_row(county, p, by_urn[p.successor_urn]) for p in county.predecessors]
    links = []
    for p in county.predecessors:
        successor = by_urn[p.successor_urn]
        established = _gias_date(successor.opened_on)
        links.append(
            {"URN": successor.urn, "LinkURN": p.urn, "LinkName": p.name,
             "LinkType": "Predecessor", "LinkEstablishedDate": established}
        )  # fmt: skip
        links.append(
            {"URN": p.urn, "LinkURN": successor.urn, "LinkName": successor.name,
             "LinkType": "Successor", "LinkEstablishedDate": established}
        )  # fmt: skip
    return Extracts(
        extract_date=date(2026, 7, 1),
        establishments=to_cp1252(ESTABLISHMENT_COLUMNS, schools + closed),
        groups=to_cp1252(GROUP_COLUMNS, [_group_row(t) for t in county.trusts]),
        links=to_cp1252(LINK_COLUMNS, links),
    )
