"""HTTP models of the school resource."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.directory import LaCode, Phase, SchoolStatus, Urn

POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"


def _normalise_postcode(value: object) -> object:
    """'cm12ab' and ' CM1 2AB ' are both 'CM1 2AB': upper case, one space before the last
    three characters (the inward code)."""
    if not isinstance(value, str):
        return value
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


Postcode = Annotated[
    str, BeforeValidator(_normalise_postcode), StringConstraints(pattern=POSTCODE_PATTERN)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SchoolIn(StrictModel):
    """A full replacement of a school's directory entry."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Chelmer Valley Primary School",
                    "phase": "primary",
                    "la_code": "881",
                    "establishment_number": "2001",
                    "trust_uid": "16234",
                    "postcode": "CM1 2AB",
                    "easting": 570500,
                    "northing": 207800,
                    "status": "open",
                }
            ]
        }
    )

    name: Name
    phase: Phase
    la_code: LaCode
    establishment_number: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    trust_uid: Annotated[str, Field(pattern=r"^\d{1,10}$", description="GIAS Group UID")] | None = (
        None
    )
    postcode: Postcode | None = None
    easting: Annotated[int, Field(ge=0, le=700_000, description="OSGB36 metres")] | None = None
    northing: Annotated[int, Field(ge=0, le=1_300_000, description="OSGB36 metres")] | None = None
    status: SchoolStatus = SchoolStatus.OPEN


class SchoolOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    urn: Urn
    name: str
    phase: Phase
    la_code: str
    establishment_number: str | None
    trust_uid: str | None
    postcode: str | None
    easting: int | None
    northing: int | None
    status: SchoolStatus
    laestab: str | None = Field(description="LA code + establishment number, e.g. 8812001")
    open_date: date | None = Field(description="From GIAS (the import sets it)")
    close_date: date | None = Field(description="From GIAS (the import sets it)")
    version: int
    created_at: datetime
    updated_at: datetime


class LinkOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    urn: Urn
    linked_urn: Urn
    link_type: str = Field(description="As GIAS states it: `urn` has `linked_urn` as its ...")
    linked_name: str | None
    established_on: date | None


class SchoolLinksOut(StrictModel):
    """A school's GIAS links, read both ways: a predecessor is a school this one states as its
    predecessor, or one that states this school as its successor (and the reverse)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "urn": 140001,
                    "predecessor_urns": [115000],
                    "successor_urns": [],
                    "links": [
                        {
                            "urn": 140001,
                            "linked_urn": 115000,
                            "link_type": "Predecessor",
                            "linked_name": "Chelmer Valley Primary School",
                            "established_on": "2013-09-01",
                        }
                    ],
                }
            ]
        }
    )

    urn: Urn
    predecessor_urns: list[int]
    successor_urns: list[int]
    links: list[LinkOut]
