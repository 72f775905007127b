"""a late start's ladder shift: steps after the one a case started at keep the ladder's intervals

Revision ID: 0011_ladder_shift
Revises: 0010_app_secrets
Create Date: 2026-12-02 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_ladder_shift"
down_revision = "0010_app_secrets"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ladder_shift_days", _BIG, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("ladder_shift_days")
