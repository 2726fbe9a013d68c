"""HTTP models of people, their roles, training, unavailable dates and conflicts of interest."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from common.clock import utcnow
from common.http.schemas import StrictModel
from contracts.directory import Urn
from scheduling.academic_year import AcademicYear
from scheduling.directory.expertise import Expertise
from scheduling.directory.person.models import (
    PARTNERSHIP_ROLES,
    SCHOOL_ROLES,
    YEARLY_ROLES,
    ConflictKind,
    Person,
    RoleKind,
    Severity,
    TrainingKind,
    TrainingRecord,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError("not a valid email address")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


Email = Annotated[str, AfterValidator(_email), Field(examples=["j.smith@chelmer.essex.sch.uk"])]

#: An issuing system's name (``arbor``, ``sims``, ``hr``) and the person's id there.
Source = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,39}$")]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ExternalIds = Annotated[
    dict[Source, ExternalId],
    Field(
        max_length=10,
        description='The person\'s id in other systems, by issuing system (`{"arbor": '
        '"A1234"}`); unique within each system.',
    ),
]


class RoleIn(StrictModel):
    """A role at a school (``urn``) or a partnership (``partnership_id``): exactly one."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"role": "headteacher", "urn": 115000}]}
    )

    role: RoleKind
    urn: Urn | None = None
    partnership_id: uuid.UUID | None = None
    academic_year: AcademicYear | None = Field(
        default=None, description="Required for improvement_champion and assistant_ic."
    )

    @model_validator(mode="after")
    def _one_place(self) -> Self:
        if (self.urn is None) == (self.partnership_id is None):
            raise ValueError("a role names either a school urn or a partnership_id")
        if self.role in SCHOOL_ROLES and self.urn is None:
            raise ValueError(f"{self.role} is a role at a school: give its urn")
        if self.role in PARTNERSHIP_ROLES and self.partnership_id is None:
            raise ValueError(f"{self.role} is a role at a partnership: give partnership_id")
        if self.role in YEARLY_ROLES and self.academic_year is None:
            raise ValueError(f"{self.role} is appointed for one academic_year")
        if self.role not in YEARLY_ROLES and self.academic_year is not None:
            raise ValueError("only improvement_champion and assistant_ic have an academic_year")
        return self


Roles = Annotated[list[RoleIn], Field(min_length=1, max_length=50)]
ExpertiseList = Annotated[list[Expertise], Field(max_length=len(Expertise))]


LEAVES_ON = (
    "A known leaving date (retiring, moving on): the pipeline forecast counts the person out "
    "of any year that ends after it"
)


class PersonIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Jo Smith",
                    "email": "j.smith@chelmer.essex.sch.uk",
                    "roles": [{"role": "headteacher", "urn": 115000}],
                    "expertise": ["reading", "send"],
                }
            ]
        }
    )

    name: Name
    email: Email
    roles: Roles
    expertise: ExpertiseList = []
    external_ids: ExternalIds = {}
    leaves_on: date | None = Field(None, description=LEAVES_ON)


class PersonPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expertise": ["maths"]}]})

    name: Name | None = None
    email: Email | None = None
    expertise: ExpertiseList | None = None
    leaves_on: date | None = Field(None, description=LEAVES_ON + "; `null` clears it")
    external_ids: (
        Annotated[
            dict[Source, ExternalId | None],
            Field(
                max_length=10,
                description="Merged into the person's ids; `null` removes a system's id.",
            ),
        ]
        | None
    ) = None


class RolesIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"roles": [{"role": "reviewer", "urn": 115000}]}]}
    )

    roles: Roles


class TrainingIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "reviewer", "completed_on": "2026-07-10"}]}
    )

    kind: TrainingKind
    completed_on: date
    expires_on: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.expires_on is not None and self.expires_on < self.completed_on:
            raise ValueError("expires_on is before completed_on")
        return self


class UnavailabilityIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"starts_on": "2026-11-02", "ends_on": "2026-11-06", "reason": "Ofsted"}]
        }
    )

    starts_on: date
    ends_on: date
    reason: Text | None = Field(default=None, description="Private: shown only to the person.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class ConflictIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "governor_or_trustee", "urn": 115001, "severity": "hard"}]
        }
    )

    kind: ConflictKind
    urn: Urn
    severity: Severity
    note: Text | None = None


class WaiverIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Left the governing body in 2024"}]}
    )

    reason: Text


class RoleOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The role's id (a tombstone names it when it ends)")
    role: RoleKind
    urn: int | None
    partnership_id: uuid.UUID | None
    academic_year: str | None


class TrainingOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: TrainingKind
    completed_on: date
    expires_on: date | None


class AccreditationOut(StrictModel):
    """What a person is trained for, from their training records: per kind, the record that
    lasts longest."""

    kind: TrainingKind
    completed_on: date
    valid_until: date | None = Field(description="Null: it does not expire")
    current: bool = Field(description="Valid today")


def accreditation(records: list[TrainingRecord], today: date) -> list[AccreditationOut]:
    best: dict[TrainingKind, TrainingRecord] = {}
    for t in records:
        held = best.get(t.kind)
        if held is None or _until(t) > _until(held):
            best[t.kind] = t
    return [
        AccreditationOut(
            kind=kind,
            completed_on=t.completed_on,
            valid_until=t.expires_on,
            current=t.completed_on <= today <= _until(t),
        )
        for kind, t in sorted(best.items())
    ]


def _until(t: TrainingRecord) -> date:
    return t.expires_on or date.max


class UnavailabilityOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str | None = Field(description="Null unless the caller is the person.")


class PersonOut(StrictModel):
    id: uuid.UUID
    name: str
    email: str
    roles: list[RoleOut]
    expertise: list[Expertise]
    training: list[TrainingOut]
    accreditation: list[AccreditationOut] = Field(
        default_factory=list,
        description="Per kind of training, the longest-lasting record and whether it is valid "
        "today (what the schedule's training rules read, for whoever schedules the person)",
    )
    unavailability: list[UnavailabilityOut]
    leaves_on: date | None = Field(None, description=LEAVES_ON)
    external_ids: dict[str, str] = Field(
        default_factory=dict, description="The person's id in other systems, by system"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class WaiverOut(StrictModel):
    reason: str
    waived_by: str
    waived_at: datetime


class ConflictOut(StrictModel):
    id: uuid.UUID | None = Field(description="Null for automatic conflicts (computed).")
    source: Literal["automatic", "declared"]
    kind: str = Field(
        description="own_school or reviewed_recently (automatic); governor_or_trustee, "
        "recent_employment, relative_on_staff or other (declared)."
    )
    urn: int
    severity: Severity
    note: str | None = None
    waiver: WaiverOut | None = None


class ConflictsOut(StrictModel):
    person_id: uuid.UUID
    data: list[ConflictOut]


def person_out(person: Person, *, show_private: bool) -> PersonOut:
    """The person as the caller may see them: the reasons for unavailable dates only to the
    person themselves."""
    return PersonOut(
        id=person.id,
        name=person.name,
        email=person.email,
        roles=[RoleOut.model_validate(r) for r in person.roles],
        expertise=person.expertise_codes,
        training=[TrainingOut.model_validate(t) for t in person.training],
        accreditation=accreditation(person.training, utcnow().date()),
        unavailability=[
            UnavailabilityOut(
                id=u.id,
                starts_on=u.starts_on,
                ends_on=u.ends_on,
                reason=u.reason if show_private else None,
            )
            for u in person.unavailability
        ],
        leaves_on=person.leaves_on,
        external_ids={e.source: e.external_id for e in person.external_ids},
        version=person.version,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


MAX_BULK = 100


class BulkPersonIn(StrictModel):
    """One row of a bulk upsert: the person as the issuing system holds them."""

    external_id: ExternalId
    name: Name
    email: Email
    roles: Roles
    expertise: ExpertiseList = []


class BulkPeopleIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "arbor",
                    "people": [
                        {
                            "external_id": "A1234",
                            "name": "Jo Smith",
                            "email": "j.smith@chelmer.essex.sch.uk",
                            "roles": [{"role": "headteacher", "urn": 115000}],
                        }
                    ],
                }
            ]
        }
    )

    source: Source = Field(description="The issuing system of every row's `external_id`")
    people: Annotated[list[BulkPersonIn], Field(min_length=1, max_length=MAX_BULK)]


class BulkRowOut(StrictModel):
    index: int = Field(description="The row's position in `people`")
    external_id: str
    status: int = Field(description="201 created, 200 updated or unchanged, else the problem's")
    outcome: Literal["created", "updated", "unchanged", "failed"]
    person: PersonOut | None = Field(default=None, description="The person after the row")
    problem: dict[str, object] | None = Field(
        default=None, description="Why the row failed (RFC 9457); nothing of it was applied"
    )


class BulkPeopleOut(StrictModel):
    results: list[BulkRowOut]
