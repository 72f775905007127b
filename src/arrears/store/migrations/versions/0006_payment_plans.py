"""promises: payment plans (one row per instalment, sharing a plan id)

Revision ID: 0006_payment_plans
Revises: 0005_outbox_unsent
Create Date: 2026-11-22 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_payment_plans"
down_revision = "0005_outbox_unsent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("instalment", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("instalments", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_promises_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_plan_id"))
        batch_op.drop_column("instalments")
        batch_op.drop_column("instalment")
        batch_op.drop_column("plan_id")
