"""HTTP models of the data-sharing agreement's versions, each member school's terms and its
decisions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from common.http.schemas import StrictModel
from contracts.directory import Decision, Urn, Visibility


class _Terms(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    partnership_visibility: Visibility
    trust_visibility: Visibility
    local_authority_visibility: Visibility
    suppression_threshold: int
    named_for_support: bool


class AgreementVersionOut(_Terms):
    """One version of the agreement as proposed, by whom and when."""

    partnership_id: uuid.UUID
    version: int
    proposed_by: str
    proposed_at: datetime


class SchoolTermsOut(_Terms):
    """The terms in force for one member school."""

    partnership_id: uuid.UUID
    urn: Urn
    consented_version: int | None = Field(
        description="The version the school consented to and has not withdrawn; null: the "
        "narrowest of the defaults and the current version"
    )
    version: int
    updated_at: datetime


class ConsentIn(StrictModel):
    """A member school's decision on the agreement, by its head or a person it authorised
    (role `agreement_signatory`). `consented` and `declined` answer the current version (give
    its number); `withdrawn` takes back the school's consent and narrows its terms at once."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"urn": 115000, "version": 2, "decision": "consented"}]}
    )

    urn: Urn
    version: int | None = Field(
        None, ge=1, description="The version decided on; required to consent or decline"
    )
    decision: Decision

    @model_validator(mode="after")
    def _version_given(self) -> Self:
        if self.decision is not Decision.WITHDRAWN and self.version is None:
            raise ValueError(f"give the version you {self.decision.value} to")
        return self


class ConsentOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    partnership_id: uuid.UUID
    urn: Urn
    agreement_version: int
    decision: Decision
    decided_by: str
    person_id: uuid.UUID | None
    decided_at: datetime
