"""HTTP models of partnerships, their members and their data-sharing agreement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.directory import LaCode, PartnershipKind, Urn, Visibility

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PartnershipIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Chelmsford North", "kind": "la_cluster", "la_code": "881"}]
        }
    )

    name: Name
    kind: PartnershipKind
    la_code: LaCode


class PartnershipPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Chelmsford North Trio"}]})

    name: Name | None = None
    kind: PartnershipKind | None = None


class PartnershipOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: PartnershipKind
    la_code: str
    area_id: uuid.UUID | None = Field(
        None,
        description="The LA's area it is in (`/v1/local-authorities/{la_code}/areas`); "
        "null for none",
    )
    version: int
    created_at: datetime
    updated_at: datetime


class MemberOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    partnership_id: uuid.UUID
    urn: Urn
    created_at: datetime


class AgreementIn(StrictModel):
    """Who beyond the school may see its reports and findings, proposed as the agreement's next
    version. What it widens binds a member school only once that school consents; what it
    narrows binds every member at once. Figures about fewer schools than the threshold are
    hidden. `named_for_support`: member schools may be named to schools
    of other partnerships as offering support for their strengths."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partnership_visibility": "named",
                    "trust_visibility": "aggregated",
                    "local_authority_visibility": "aggregated",
                    "suppression_threshold": 5,
                    "named_for_support": False,
                }
            ]
        }
    )

    partnership_visibility: Visibility
    trust_visibility: Visibility = Field(
        description="Wider than `aggregated` binds a member school only once it consents"
    )
    local_authority_visibility: Visibility = Field(
        description="Wider than `aggregated` binds a member school only once it consents"
    )
    suppression_threshold: Annotated[int, Field(ge=2, le=100)] = 5
    named_for_support: bool = Field(
        False,
        description="Member schools may be named to schools of other partnerships as offering "
        "support for their strengths (support brokering)",
    )


class AgreementOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    partnership_id: uuid.UUID
    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int
    named_for_support: bool
    version: int
    updated_at: datetime
