"""The API under test: the real app on each database, on simulated time, with keys of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key, revoke_api_key
from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.system import System, build_system
from tests.events.support import NOW


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def system(engine: Engine, clock: SimulatedClock, tmp_path: Path) -> System:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), outbox_dir=tmp_path / "out"
    )
    return build_system(settings, clock=clock, engine=engine)


@pytest.fixture
def app(system: System) -> FastAPI:
    return system.web()


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


def post_event(client: TestClient, token: str, key: str, body: Any) -> dict[str, Any]:
    """What a billing system does, and then the worker: the event is stored (202) and applied; the clock
    moves on a millisecond so the next event arrives after this one."""
    response = client.post("/v1/events", json=body, headers=auth(token, key))
    assert response.status_code == 202, response.text
    app: Any = client.app
    app.state.inbox.apply_due()
    app.state.clock.advance(timedelta(milliseconds=1))
    stored: dict[str, Any] = response.json()
    return stored
