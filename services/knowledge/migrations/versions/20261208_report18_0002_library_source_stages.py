"""library source stages

The stages of education each research source is written for, so suggestions for a school put
its stages' sources first. Existing rows get an empty list (any stage); the shipped sources get
theirs from the seed on the next start.

Revision ID: report18_0002
Revises: names17_0001
Create Date: 2026-12-08 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "report18_0002"
down_revision: str | None = "names17_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("library_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stages", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("library_sources", schema=None) as batch_op:
        batch_op.drop_column("stages")
