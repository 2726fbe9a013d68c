"""interim progress updates on an agreed plan's actions

Revision ID: actions18_0001
Revises: june18_0001
Create Date: 2026-12-08 01:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "actions18_0001"
down_revision: str | None = "june18_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "criteria",
            sa.Enum(
                "met", "partly", "not_yet", name="criteriastatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("noted_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["planned_actions.id"],
            name=op.f("fk_action_updates_action_id_planned_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_action_updates_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_updates_review_id"), ["review_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_review_id"))
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))
    op.drop_table("action_updates")
