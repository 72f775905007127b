"""the first day with real data: postal street lines, payment links

Revision ID: 0009_first_day
Revises: 0008_shell
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_first_day"
down_revision = "0008_shell"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_line1", sa.String(256), nullable=True))
        batch_op.add_column(sa.Column("address_line2", sa.String(256), nullable=True))
    op.create_table(
        "payment_links",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", _BIG, nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("provider_ref", sa.String(256), nullable=True),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("opened_at", _TIME, nullable=True),
        sa.Column("paid_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_payment_links_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_links")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_links_idempotency_key")),
    )
    op.create_index("ix_payment_links_case_id", "payment_links", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payment_links_case_id", table_name="payment_links")
    op.drop_table("payment_links")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("address_line2")
        batch_op.drop_column("address_line1")
