"""areas: an LA's areas (county quadrants), and the area a partnership is in

Revision ID: areas14_0001
Revises: names17_0001
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "areas14_0001"
down_revision: str | None = "names17_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("la_code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("la_code", "name", name=op.f("uq_areas_la_code_name")),
    )
    op.create_index(op.f("ix_areas_la_code"), "areas", ["la_code"], unique=False)
    op.create_index(op.f("ix_areas_updated_at"), "areas", ["updated_at"], unique=False)
    with op.batch_alter_table("partnerships") as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_partnerships_area_id"), ["area_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partnerships_area_id_areas"),
            "areas",
            ["area_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("partnerships") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_partnerships_area_id_areas"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_partnerships_area_id"))
        batch_op.drop_column("area_id")
    op.drop_index(op.f("ix_areas_updated_at"), table_name="areas")
    op.drop_index(op.f("ix_areas_la_code"), table_name="areas")
    op.drop_table("areas")
