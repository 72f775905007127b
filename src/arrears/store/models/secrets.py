"""Secrets the application generates for itself, one row per name, shared by every process on a database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from arrears.store.base import Base


class AppSecret(Base):
    """A random value generated once (the first process to need it wins the insert), so `arrears worker`
    and `arrears serve` on the same database sign and verify with the same key."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
