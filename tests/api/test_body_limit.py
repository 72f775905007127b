"""A body over ARREARS_MAX_BODY_BYTES is refused with 413 before it is parsed, declared or chunked, and
nothing is stored; a normal body is unaffected."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import InboxEvent
from arrears.system import build_system
from tests.api.conftest import auth
from tests.events.support import invoice_created

MIB = 1024 * 1024


def _huge_event() -> bytes:
    """20 MB of an otherwise well-shaped event: a padded customer name."""
    body = invoice_created(1, account="a1", customer="c1", customer_name="x" * (20 * MIB))
    return json.dumps(body).encode()


def _stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def _assert_refused(response: Response) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413 and problem["type"].endswith("body-too-large")
    assert str(MIB) in problem["detail"]


def test_a_20_mb_body_is_refused_and_nothing_stored(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    headers = {**auth(keys["writer"], "big-1"), "Content-Type": "application/json"}
    _assert_refused(client.post("/v1/events", content=_huge_event(), headers=headers))
    assert _stored(sessions) == 0


def test_a_chunked_body_is_counted_as_it_arrives(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    data = _huge_event()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]

    headers = {**auth(keys["writer"], "big-2"), "Content-Type": "application/json"}
    response = client.post("/v1/events", content=chunks(), headers=headers)
    _assert_refused(response)
    assert _stored(sessions) == 0


def test_a_normal_body_still_works(
    client: TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    body = invoice_created(1, account="a1", customer="c1")
    response = client.post("/v1/events", json=body, headers=auth(keys["writer"], "small-1"))
    assert response.status_code == 202, response.text
    assert _stored(sessions) == 1


def test_the_limit_is_a_setting(
    engine: Engine, clock: SimulatedClock, tmp_path: Path, keys: dict[str, str]
) -> None:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        outbox_dir=tmp_path / "out",
        max_body_bytes=2048,
    )
    body = invoice_created(1, account="a1", customer="c1", customer_name="y" * 3000)
    with TestClient(build_system(settings, clock=clock, engine=engine).web()) as client:
        response = client.post("/v1/events", json=body, headers=auth(keys["writer"], "k"))
        assert response.status_code == 413 and "2048 bytes" in response.json()["detail"]
        body["customer_name"] = "short"
        assert client.post("/v1/events", json=body, headers=auth(keys["writer"], "k")).status_code == 202
