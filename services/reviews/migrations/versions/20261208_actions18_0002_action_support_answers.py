"""a partner school's answer to supporting an action

Revision ID: actions18_0002
Revises: actions18_0001
Create Date: 2026-12-08 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "actions18_0002"
down_revision: str | None = "actions18_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_actions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "support_status",
                sa.Enum(
                    "asked",
                    "accepted",
                    "declined",
                    name="supportstatus",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("support_answered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("support_answered_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("support_note", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_planned_actions_support_urn"), ["support_urn"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("planned_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_actions_support_urn"))
        batch_op.drop_column("support_note")
        batch_op.drop_column("support_answered_by")
        batch_op.drop_column("support_answered_at")
        batch_op.drop_column("support_status")
