"""HTTP models of findings."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.config import JsonDict

from common.http.schemas import StrictModel
from contracts.knowledge import ThemeCode
from contracts.reviews import EvidenceKind, FindingKind
from reviews.evidence.models import EvidenceItem
from reviews.finding.models import Finding, distinct_kinds, triangulated

FindingText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
MAX_EVIDENCE = 100

_EXAMPLE: JsonDict = {
    "kind": "area_for_development",
    "text": "Pupils in upper key stage 2 rarely choose books beyond the class reader.",
    "theme_codes": ["curriculum.reading.for_pleasure"],
    "evidence_ids": [
        "0190a1b2-0000-7000-8000-0000000000e1",
        "0190a1b2-0000-7000-8000-0000000000e2",
    ],
    "question_id": "0190a1b2-0000-7000-8000-0000000000a1",
}


def _distinct(values: list[str] | list[uuid.UUID] | None, what: str) -> None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError(f"{what} must be distinct")


class FindingIn(StrictModel):
    """A strength or an area for development, resting on evidence items of this review."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    kind: FindingKind
    text: FindingText
    theme_codes: list[ThemeCode] = Field(min_length=1, max_length=10)
    evidence_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_EVIDENCE)
    question_id: uuid.UUID | None = Field(None, description="The enquiry question it answers")

    @field_validator("theme_codes", "evidence_ids")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        _distinct(values, "values")
        return values


class FindingPatch(StrictModel):
    """Change a finding; omitted fields stay. ``question_id: null`` unlinks the question."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "Pupils rarely choose their own books."}]}
    )

    kind: FindingKind | None = None
    text: FindingText | None = None
    theme_codes: list[ThemeCode] | None = Field(None, min_length=1, max_length=10)
    evidence_ids: list[uuid.UUID] | None = Field(None, max_length=MAX_EVIDENCE)
    question_id: uuid.UUID | None = None

    @field_validator("theme_codes", "evidence_ids")
    @classmethod
    def _no_repeats(cls, values: list[str] | None) -> list[str] | None:
        _distinct(values, "values")
        return values

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        for name in ("kind", "text", "theme_codes", "evidence_ids"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class FindingOut(StrictModel):
    id: uuid.UUID
    review_id: uuid.UUID
    kind: FindingKind
    text: str
    theme_codes: list[str]
    question_id: uuid.UUID | None
    evidence_ids: list[uuid.UUID]
    evidence_count: int
    evidence_kinds: list[EvidenceKind] = Field(description="The distinct kinds of its evidence")
    triangulated: bool = Field(
        description="Its evidence has at least the review's triangulation_min_kinds kinds"
    )
    author_person_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, finding: Finding, evidence: Mapping[uuid.UUID, EvidenceItem], min_kinds: int
    ) -> FindingOut:
        items = [evidence[i] for i in finding.evidence_ids if i in evidence]
        kinds = distinct_kinds(items)
        return cls(
            id=finding.id,
            review_id=finding.review_id,
            kind=finding.kind,
            text=finding.text,
            theme_codes=list(finding.theme_codes),
            question_id=finding.question_id,
            evidence_ids=finding.evidence_ids,
            evidence_count=len(items),
            evidence_kinds=kinds,
            triangulated=triangulated(kinds, min_kinds),
            author_person_id=finding.author_person_id,
            version=finding.version,
            created_at=finding.created_at,
            updated_at=finding.updated_at,
        )
