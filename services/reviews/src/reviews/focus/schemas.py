"""HTTP models of a review's focus, enquiry questions and challenge notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from common.http.schemas import StrictModel
from contracts.knowledge import ThemeCode
from reviews.focus.models import MAX_QUESTIONS, FocusChallenge, ReviewFocus

FocusText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class QuestionIn(StrictModel):
    id: uuid.UUID | None = Field(
        None, description="Keep an existing question's id; omit for a new question"
    )
    text: QuestionText


class FocusIn(StrictModel):
    """The whole focus: its text, theme codes and one to five enquiry questions, in order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Reading for pleasure in upper key stage 2",
                    "theme_codes": ["curriculum.reading"],
                    "questions": [
                        {"text": "How well do pupils in years 5 and 6 choose books?"},
                        {"text": "How does the library support reading at home?"},
                    ],
                    "agreed": False,
                }
            ]
        }
    )

    text: FocusText
    theme_codes: list[ThemeCode] = Field(min_length=1, max_length=10)
    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_QUESTIONS)
    agreed: bool = Field(
        False,
        description="The lead reviewer marks the focus agreed at the pre-review meeting; any "
        "other change to an agreed focus withdraws the agreement",
    )

    @field_validator("theme_codes")
    @classmethod
    def _distinct_codes(cls, codes: list[str]) -> list[str]:
        if len(set(codes)) != len(codes):
            raise ValueError("theme codes must be distinct")
        return codes

    @field_validator("questions")
    @classmethod
    def _distinct_ids(cls, questions: list[QuestionIn]) -> list[QuestionIn]:
        ids = [q.id for q in questions if q.id is not None]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be distinct")
        return questions


class QuestionOut(StrictModel):
    id: uuid.UUID
    number: int = Field(description="1-based position")
    text: str


class FocusOut(StrictModel):
    review_id: uuid.UUID
    text: str
    theme_codes: list[str]
    questions: list[QuestionOut]
    agreed_at: datetime | None
    agreed_by: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, focus: ReviewFocus) -> FocusOut:
        return cls(
            review_id=focus.review_id,
            text=focus.text,
            theme_codes=list(focus.theme_codes),
            questions=[
                QuestionOut(id=uuid.UUID(q["id"]), number=i, text=q["text"])
                for i, q in enumerate(focus.questions, start=1)
            ],
            agreed_at=focus.agreed_at,
            agreed_by=focus.agreed_by,
            version=focus.version,
            created_at=focus.created_at,
            updated_at=focus.updated_at,
        )


class ChallengeIn(StrictModel):
    """A reviewer's challenge to the focus."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "The SEF already answers this; is writing a sharper focus?"}]
        }
    )

    text: FocusText


class ChallengeOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: uuid.UUID
    author_person_id: uuid.UUID
    text: str
    at: datetime

    @classmethod
    def of(cls, challenge: FocusChallenge) -> ChallengeOut:
        return cls.model_validate(challenge)
