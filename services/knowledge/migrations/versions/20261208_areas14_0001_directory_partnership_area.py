"""directory_partnerships: the LA's area a partnership is in, its name beside its id

Revision ID: areas14_0001
Revises: report18_0002
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "areas14_0001"
down_revision: str | None = "report18_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by the next `partnership.updated` (an area's partnerships get one on every change).
    with op.batch_alter_table("directory_partnerships") as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("area_name", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_directory_partnerships_area_id"), ["area_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("directory_partnerships") as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_partnerships_area_id"))
        batch_op.drop_column("area_name")
        batch_op.drop_column("area_id")
