"""outcomes record the conversation's language (or the customer's, when a person who speaks it takes over)

Revision ID: 0014_outcome_language
Revises: 0013_outcome_model
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_outcome_language"
down_revision = "0013_outcome_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_column("language")
