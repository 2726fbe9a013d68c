"""Events of the directory (owned by scheduling): schools, partnerships, members, agreements,
an LA's areas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import EventDefinition

PayloadT = TypeVar("PayloadT", bound=BaseModel)

Urn = Annotated[int, Field(ge=100000, le=999999, description="DfE unique reference number")]
LaCode = Annotated[
    str, Field(pattern=r"^\d{3}$", description="Three-digit LA code", examples=["881"])
]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Phase(StrEnum):
    NURSERY = "nursery"
    PRIMARY = "primary"
    MIDDLE_DEEMED_PRIMARY = "middle_deemed_primary"
    SECONDARY = "secondary"
    MIDDLE_DEEMED_SECONDARY = "middle_deemed_secondary"
    SIXTEEN_PLUS = "sixteen_plus"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"
    NOT_APPLICABLE = "not_applicable"


class SchoolStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PROPOSED_TO_OPEN = "proposed_to_open"
    PROPOSED_TO_CLOSE = "proposed_to_close"


class PartnershipKind(StrEnum):
    TRUST = "trust"
    TEACHING_SCHOOL_ALLIANCE = "teaching_school_alliance"
    LA_CLUSTER = "la_cluster"
    NETWORK_LEARNING_COMMUNITY = "network_learning_community"
    OTHER = "other"


class Visibility(StrEnum):
    """What an audience beyond the school may see of its reports and findings."""

    NONE = "none"
    AGGREGATED = "aggregated"
    NAMED = "named"

    @property
    def rank(self) -> int:
        """none < aggregated < named: a higher rank shows more."""
        return _VISIBILITY_RANK[self]

    def narrowest(self, other: Visibility) -> Visibility:
        return self if self.rank <= other.rank else other


_VISIBILITY_RANK = {Visibility.NONE: 0, Visibility.AGGREGATED: 1, Visibility.NAMED: 2}


class Decision(StrEnum):
    """A member school's answer to a version of its partnership's data-sharing agreement."""

    CONSENTED = "consented"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class SchoolPayload(Payload):
    urn: Urn
    name: str
    phase: Phase
    la_code: LaCode
    establishment_number: str | None
    trust_uid: str | None
    trust_name: str | None = Field(
        None,
        description="The trust's name (GIAS `Trusts (name)`, or the directory's trust); null "
        "when the school has no trust or its name is not known",
    )
    postcode: str | None
    easting: int | None
    northing: int | None
    status: SchoolStatus
    version: int = Field(description="The school's version after this change; newer wins.")
    updated_at: datetime


class PartnershipPayload(Payload):
    id: UUID
    name: str
    kind: PartnershipKind
    la_code: LaCode
    version: int
    updated_at: datetime
    area_id: UUID | None = Field(
        None, description="The LA's area (county quadrant) the partnership is in; null for none"
    )
    area_name: str | None = Field(None, description="That area's name when the event was sent")


class AreaPayload(Payload):
    """An area of an LA (a county quadrant): a group of its partnerships. Which partnerships
    are in it is on their own events (`area_id`)."""

    id: UUID
    la_code: LaCode
    name: str
    version: int = Field(description="The area's version after this change; newer wins.")
    updated_at: datetime


class MembershipPayload(Payload):
    partnership_id: UUID
    urn: Urn
    la_code: LaCode = Field(description="The partnership's LA code")
    occurred_at: datetime


class AgreementPayload(Payload):
    partnership_id: UUID
    la_code: LaCode
    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int = Field(ge=2, description="Aggregates over fewer schools hidden")
    named_for_support: bool = Field(
        False,
        description="Member schools may be named to schools of other partnerships as offering "
        "support for their strengths (support brokering); within the partnership, "
        "partnership_visibility decides",
    )
    version: int
    updated_at: datetime
    proposed_by: str | None = Field(
        None,
        description="Who proposed this version (the token's subject). The version binds each "
        "member school only as far as `school_agreement_changed` says.",
    )


class SchoolAgreementPayload(Payload):
    """The terms in force for one member school: the narrowest of the partnership's current
    version and what the school consented to (the default terms until it consents)."""

    partnership_id: UUID
    urn: Urn
    la_code: LaCode = Field(description="The partnership's LA code")
    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int = Field(ge=2)
    named_for_support: bool
    consented_version: int | None = Field(
        description="The agreement version the school consented to and has not withdrawn"
    )
    version: int = Field(description="This school's terms' version; newer wins.")
    updated_at: datetime


class ConsentPayload(Payload):
    """A member school's decision on a version of the data-sharing agreement (history)."""

    id: UUID
    partnership_id: UUID
    urn: Urn
    la_code: LaCode = Field(description="The partnership's LA code")
    agreement_version: int
    decision: Decision
    decided_by: str = Field(description="The token's subject")
    person_id: UUID | None = Field(description="The head or authorised person who decided")
    decided_at: datetime


def _scheduling(
    aggregate: str, action: str, payload: type[PayloadT], summary: str
) -> EventDefinition[PayloadT]:
    return EventDefinition("scheduling", aggregate, action, 1, payload, summary)


SCHOOL_REGISTERED: EventDefinition[SchoolPayload] = _scheduling(
    "school", "registered", SchoolPayload, "A school entered the directory."
)
SCHOOL_UPDATED: EventDefinition[SchoolPayload] = _scheduling(
    "school", "updated", SchoolPayload, "A school's directory entry changed."
)
PARTNERSHIP_CREATED: EventDefinition[PartnershipPayload] = _scheduling(
    "partnership", "created", PartnershipPayload, "A partnership was created."
)
PARTNERSHIP_UPDATED: EventDefinition[PartnershipPayload] = _scheduling(
    "partnership", "updated", PartnershipPayload, "A partnership's name or kind changed."
)
MEMBER_JOINED: EventDefinition[MembershipPayload] = _scheduling(
    "partnership", "member_joined", MembershipPayload, "A school joined a partnership."
)
MEMBER_LEFT: EventDefinition[MembershipPayload] = _scheduling(
    "partnership", "member_left", MembershipPayload, "A school left a partnership."
)
AGREEMENT_CHANGED: EventDefinition[AgreementPayload] = _scheduling(
    "partnership",
    "agreement_changed",
    AgreementPayload,
    "A new version of a partnership's data-sharing agreement was proposed (its current "
    "version). It binds each member school only as far as that school's terms say "
    "(`school_agreement_changed`): narrowing at once, widening with the school's consent.",
)
SCHOOL_AGREEMENT_CHANGED: EventDefinition[SchoolAgreementPayload] = _scheduling(
    "partnership",
    "school_agreement_changed",
    SchoolAgreementPayload,
    "The data-sharing terms in force for one member school changed (a narrowing version, its "
    "consent or withdrawal, joining). Disclosure of the school's reviews follows these terms.",
)
CONSENT_RECORDED: EventDefinition[ConsentPayload] = _scheduling(
    "partnership",
    "consent_recorded",
    ConsentPayload,
    "A member school consented to, declined or withdrew from a version of the data-sharing "
    "agreement.",
)

AREA_CREATED: EventDefinition[AreaPayload] = _scheduling(
    "area", "created", AreaPayload, "An LA created an area to group its partnerships."
)
AREA_RENAMED: EventDefinition[AreaPayload] = _scheduling(
    "area",
    "renamed",
    AreaPayload,
    "An area was renamed (its partnerships' `partnership.updated` events follow with the name).",
)
AREA_DELETED: EventDefinition[AreaPayload] = _scheduling(
    "area",
    "deleted",
    AreaPayload,
    "An area was deleted; its partnerships, first left without an area "
    "(`partnership.updated`), remain.",
)

DIRECTORY_EVENTS: tuple[EventDefinition[Any], ...] = (
    SCHOOL_REGISTERED,
    SCHOOL_UPDATED,
    PARTNERSHIP_CREATED,
    PARTNERSHIP_UPDATED,
    MEMBER_JOINED,
    MEMBER_LEFT,
    AGREEMENT_CHANGED,
    SCHOOL_AGREEMENT_CHANGED,
    CONSENT_RECORDED,
    AREA_CREATED,
    AREA_RENAMED,
    AREA_DELETED,
)
