"""schools: the trust's name beside its UID (carried to the read models on school events)

Revision ID: names17_0001
Revises: d23dd2a62b2f
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "names17_0001"
down_revision: str | None = "d23dd2a62b2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch_op:
        batch_op.add_column(sa.Column("trust_name", sa.String(length=200), nullable=True))
    # The schools of a trust the directory already knows get its name; the rest get theirs
    # at the next GIAS import (``Trusts (name)``).
    op.execute(
        "UPDATE schools SET trust_name = "
        "(SELECT trusts.name FROM trusts WHERE trusts.uid = schools.trust_uid) "
        "WHERE trust_uid IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("schools") as batch_op:
        batch_op.drop_column("trust_name")
