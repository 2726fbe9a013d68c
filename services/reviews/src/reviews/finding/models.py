"""Findings of a review: a strength or an area for development, with theme codes, resting on
evidence items of the same review and perhaps answering one enquiry question. Written by the
team from the review day until the report is published.

Triangulated when the linked evidence has at least the review's ``triangulation_min_kinds``
different kinds (the cycle policy's rule, from the plan).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import JSON, Enum, ForeignKey, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, VersionedMixin
from common.ids import new_id
from contracts.reviews import EvidenceKind, FindingKind, ReviewState
from reviews.db import Base
from reviews.evidence.models import EvidenceItem

#: The states in which the team writes findings: the day (triangulation meetings), the
#: feedback, and while the report is drafted.
WRITING_STATES = (ReviewState.REVIEW_DAY, ReviewState.FEEDBACK, ReviewState.REPORT_DRAFTED)


class Finding(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "findings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FindingKind] = mapped_column(
        Enum(
            FindingKind,
            native_enum=False,
            length=40,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    text: Mapped[str] = mapped_column(Text)
    theme_codes: Mapped[list[str]] = mapped_column(JSON)
    question_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    author_person_id: Mapped[uuid.UUID] = mapped_column(Uuid)

    links: Mapped[list[FindingEvidence]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="FindingEvidence.evidence_id"
    )

    @property
    def evidence_ids(self) -> list[uuid.UUID]:
        return [link.evidence_id for link in self.links]


class FindingEvidence(Base):
    """A finding rests on an evidence item (of the same review: the service checks)."""

    __tablename__ = "finding_evidence"

    finding_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def distinct_kinds(items: Iterable[EvidenceItem]) -> list[EvidenceKind]:
    return sorted({item.kind for item in items}, key=lambda k: list(EvidenceKind).index(k))


def triangulated(kinds: list[EvidenceKind], min_kinds: int) -> bool:
    return len(kinds) >= min_kinds
