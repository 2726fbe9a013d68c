"""HTTP models of the self-evaluation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.knowledge import ThemeCode
from reviews.self_evaluation.models import SelfEvaluation
from reviews.self_evaluation.summary import DataSummary

ViewText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

_EXAMPLE: dict[str, Any] = {
    "data_summary": {
        "data_year": "2025-26",
        "results": [
            {
                "assessment": "ks2",
                "subject": "reading",
                "groups": [
                    {
                        "group": "all",
                        "cohort": 30,
                        "counts": {"below_expected": 6, "expected": 15, "higher": 9},
                        "expected_pct": 80,
                        "higher_pct": 30,
                        "average_score": 106.2,
                    },
                    {"group": "disadvantaged", "cohort": 8, "expected_pct": 62.5},
                    {"group": "not_disadvantaged", "cohort": 22, "expected_pct": 86.4},
                ],
            }
        ],
    },
    "strengths": [{"text": "Early reading: phonics is taught consistently from Reception."}],
    "weaknesses": [
        {
            "text": "Disadvantaged pupils read less widely than their peers.",
            "theme_codes": ["disadvantaged.attainment"],
        }
    ],
    "share": False,
}


class SelfViewItem(StrictModel):
    text: ViewText
    theme_codes: list[ThemeCode] = Field(default_factory=list, max_length=5)


class SelfEvaluationIn(StrictModel):
    """The whole self-evaluation (replaced on every PUT)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    data_summary: DataSummary
    strengths: list[SelfViewItem] = Field(default_factory=list, max_length=20)
    weaknesses: list[SelfViewItem] = Field(default_factory=list, max_length=20)
    share: bool = Field(
        False,
        description="Share it with the review team now (it cannot be unshared; moving the "
        "review to pre_review shares it anyway)",
    )


class SelfEvaluationOut(StrictModel):
    review_id: uuid.UUID
    data_summary: DataSummary
    strengths: list[SelfViewItem]
    weaknesses: list[SelfViewItem]
    shared_with_team: bool = Field(description="Whether the review team can read it")
    shared_at: datetime | None = Field(description="When the school shared it explicitly")
    shared_by: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, evaluation: SelfEvaluation, *, shared: bool) -> SelfEvaluationOut:
        return cls(
            review_id=evaluation.review_id,
            data_summary=DataSummary.model_validate(evaluation.data_summary),
            strengths=[SelfViewItem.model_validate(i) for i in evaluation.strengths],
            weaknesses=[SelfViewItem.model_validate(i) for i in evaluation.weaknesses],
            shared_with_team=shared,
            shared_at=evaluation.shared_at,
            shared_by=evaluation.shared_by,
            version=evaluation.version,
            created_at=evaluation.created_at,
            updated_at=evaluation.updated_at,
        )
