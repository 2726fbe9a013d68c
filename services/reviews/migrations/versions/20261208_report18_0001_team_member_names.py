"""team member names

The schedule's plan events now carry each person's name, for the report the school receives.
No backfill: the next plan event of a review names its team; until then the report names a
member by role only.

Revision ID: report18_0001
Revises: af0a92a174e2
Create Date: 2026-12-08 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "report18_0001"
down_revision: str | None = "af0a92a174e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_team_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_team_members", schema=None) as batch_op:
        batch_op.drop_column("name")
