"""outbox: find a customer's unsent actions (the planner counts them as contacts)

Revision ID: 0005_outbox_unsent
Revises: 0004_merge
Create Date: 2026-11-22 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox_unsent"
down_revision = "0004_merge"
branch_labels = None
depends_on = None

_UNSENT = sa.text("status IN ('pending', 'review', 'leased')")


def upgrade() -> None:
    # Partial: a row leaves the index once it is sent, so the index stays as small as the queue.
    op.create_index(
        "ix_outbox_unsent_customer",
        "outbox_actions",
        ["customer_id"],
        unique=False,
        postgresql_where=_UNSENT,
        sqlite_where=_UNSENT,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent_customer", table_name="outbox_actions")
