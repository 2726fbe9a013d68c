"""host feedback

Revision ID: june18_0001
Revises: remind18_0001
Create Date: 2026-12-08 01:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "june18_0001"
down_revision: str | None = "remind18_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_feedback",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("preparation", sa.SmallInteger(), nullable=False),
        sa.Column("challenge", sa.SmallInteger(), nullable=False),
        sa.Column("report_usefulness", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("given_by", sa.Uuid(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_host_feedback_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_host_feedback")),
    )


def downgrade() -> None:
    op.drop_table("host_feedback")
