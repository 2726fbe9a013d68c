"""agreement: the trust and the LA may be named (opt-in); named_for_support

Revision ID: e274485ccdc2
Revises: a28c5ddfc905
Create Date: 2026-12-01 15:18:52.737986
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e274485ccdc2"
down_revision: str | None = "a28c5ddfc905"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sharing_agreements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("named_for_support", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint(op.f("ck_sharing_agreements_la_never_named"), type_="check")


def downgrade() -> None:
    op.execute(
        "UPDATE sharing_agreements SET local_authority_visibility = 'aggregated' "
        "WHERE local_authority_visibility = 'named'"
    )
    with op.batch_alter_table("sharing_agreements", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_sharing_agreements_la_never_named"), "local_authority_visibility != 'named'"
        )
        batch_op.drop_column("named_for_support")
