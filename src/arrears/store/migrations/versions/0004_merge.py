"""Merge the compliance and conversations branches into one history.

Revision ID: 0004_merge
Revises: 0002_compliance, 0003_conversations
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0004_merge"
down_revision = ("0002_compliance", "0003_conversations")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the two branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
