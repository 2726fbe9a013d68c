"""directory_schools: the trust's name (to name a trust in an answer about it)

Revision ID: names17_0001
Revises: 36fbbcaf7aca
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "names17_0001"
down_revision: str | None = "36fbbcaf7aca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_schools") as batch_op:
        batch_op.add_column(sa.Column("trust_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("directory_schools") as batch_op:
        batch_op.drop_column("trust_name")
