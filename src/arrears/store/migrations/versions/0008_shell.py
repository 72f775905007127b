"""the shell: inbox retries and answers, the domain-event feed, task and hold lifecycles, delivery status

Revision ID: 0008_shell
Revises: 0007_contact_points_index
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_shell"
down_revision = "0007_contact_points_index"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", _BIG, nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", _TIME, nullable=True))
        batch_op.add_column(sa.Column("problem", _JSON, nullable=True))
        batch_op.add_column(sa.Column("result", _JSON, nullable=True))
        batch_op.create_index("ix_inbox_retry", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="active"))
        batch_op.add_column(sa.Column("placed_by", sa.String(128), nullable=False, server_default="system"))
        batch_op.add_column(sa.Column("released_by", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("release_reason", sa.String(512), nullable=True))
        batch_op.create_index("ix_holds_expiring", ["status", "until"], unique=False)
    op.execute("UPDATE holds SET status = 'released' WHERE released_at IS NOT NULL")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", _TIME, nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("resolution_note", sa.String(2000), nullable=True))
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_status", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("delivery_updated_at", _TIME, nullable=True))
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("right_party", sa.Boolean(), nullable=True))
    _feed()


def _feed() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    txid_default = sa.text("(pg_current_xact_id()::text)::bigint") if postgres else None
    op.create_table(
        "domain_events",
        sa.Column("seq", _BIG, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("customer_id", sa.String(32), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("txid", _BIG, nullable=True, server_default=txid_default),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_domain_events")),
        sa.UniqueConstraint("id", name=op.f("uq_domain_events_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_domain_events_case", "domain_events", ["case_id", "seq"], unique=False)
    op.create_index("ix_domain_events_order", "domain_events", ["txid", "seq"], unique=False)
    op.create_table(
        "feed_cursors",
        sa.Column("consumer", sa.String(64), nullable=False),
        sa.Column("txid", _BIG, nullable=False, server_default="0"),
        sa.Column("seq", _BIG, nullable=False, server_default="0"),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_feed_cursors")),
    )


def downgrade() -> None:
    op.drop_table("feed_cursors")
    op.drop_index("ix_domain_events_order", table_name="domain_events")
    op.drop_index("ix_domain_events_case", table_name="domain_events")
    op.drop_table("domain_events")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_column("right_party")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("delivery_updated_at")
        batch_op.drop_column("delivery_status")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        for column in ("resolution_note", "resolved_by", "resolution", "claimed_at"):
            batch_op.drop_column(column)
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index("ix_holds_expiring")
        for column in ("release_reason", "released_by", "placed_by", "status"):
            batch_op.drop_column(column)
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_retry")
        for column in ("result", "problem", "next_attempt_at", "attempts"):
            batch_op.drop_column(column)
