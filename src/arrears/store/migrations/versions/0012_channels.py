"""real channels: undeliverable addresses, leased feed cursors and the write-back delivery ledger

Revision ID: 0012_channels
Revises: 0011_ladder_shift
Create Date: 2026-12-02 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_channels"
down_revision = "0011_ladder_shift"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undeliverable_at", _TIME, nullable=True))
        batch_op.add_column(sa.Column("undeliverable_reason", sa.String(256), nullable=True))
    with op.batch_alter_table("feed_cursors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", _TIME, nullable=True))
    op.create_table(
        "writeback_deliveries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("destination", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("event_kind", sa.String(48), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(1024), nullable=True),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("delivered_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeback_deliveries")),
        sa.UniqueConstraint(
            "destination", "event_id", name=op.f("uq_writeback_deliveries_destination_event_id")
        ),
    )
    op.create_index(
        "ix_writeback_deliveries_due",
        "writeback_deliveries",
        ["destination", "status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_writeback_deliveries_due", table_name="writeback_deliveries")
    op.drop_table("writeback_deliveries")
    with op.batch_alter_table("feed_cursors", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_column("undeliverable_reason")
        batch_op.drop_column("undeliverable_at")
