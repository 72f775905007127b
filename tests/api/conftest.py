"""The API under test: the real app on each database, on simulated time, with keys of each kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arrears.api import create_app
from arrears.api.keys import create_api_key, revoke_api_key
from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from tests.events.support import NOW, resolve


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def app(engine: Engine, clock: SimulatedClock) -> FastAPI:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return create_app(settings, clock=clock, resolve_strategy=resolve, engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Tokens by role: writer (events:write), reader (read), both, revoked (had both)."""
    tokens = {}
    with sessions.begin() as session:
        for name, scopes in [
            ("writer", ["events:write"]),
            ("reader", ["read"]),
            ("both", ["events:write", "read"]),
            ("revoked", ["events:write", "read"]),
        ]:
            key, tokens[name] = create_api_key(session, name=name, scopes=scopes, now=NOW)
            if name == "revoked":
                assert revoke_api_key(session, key.prefix, now=NOW)
    return tokens


def auth(token: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers
