"""The key that signs payment-link and unsubscribe tokens.

Configured (ARREARS_LINK_SECRET), or generated once per database and stored in `app_secrets`, so the worker
that writes a link into a message and the web process that opens it agree without an operator step.
"""

from __future__ import annotations

import secrets
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.db import transaction
from arrears.store.models import AppSecret

SECRET_NAME = "link_secret"


class LinkSecret:
    """The signing key, read once per process (the first process on a database creates it)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, configured: str | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._key: bytes | None = configured.encode() if configured else None

    def key(self, session: Session | None = None) -> bytes:
        """The key; `session` reads (or creates) it inside the caller's transaction instead of a new one."""
        if self._key is None:
            if session is not None:
                self._key = _stored(session, self._clock)
            else:
                with transaction(self._sessions) as own:
                    self._key = _stored(own, self._clock)
        return self._key


def _stored(session: Session, clock: Clock) -> bytes:
    fresh = {"name": SECRET_NAME, "value": secrets.token_urlsafe(48), "created_at": clock.now()}
    insert_ignoring_duplicates(session, cast(Table, AppSecret.__table__), [fresh], ("name",))
    value = session.scalar(select(AppSecret.value).where(AppSecret.name == SECRET_NAME))
    if value is None:  # pragma: no cover - the insert above or a concurrent one wrote it
        raise RuntimeError("app_secrets has no link_secret after inserting it")
    return value.encode()
