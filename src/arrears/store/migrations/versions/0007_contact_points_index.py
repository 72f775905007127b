"""contact_points: drop the customer_id index, which the (customer_id, channel, value) unique index covers

Revision ID: 0007_contact_points_index
Revises: 0006_payment_plans
Create Date: 2026-11-22 18:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0007_contact_points_index"
down_revision = "0006_payment_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every lookup by customer uses the unique index's leading column; this one only cost writes.
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_points_customer_id"))


def downgrade() -> None:
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_points_customer_id"), ["customer_id"], unique=False)
