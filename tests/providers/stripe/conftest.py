"""The real system pointed at the fake Stripe (official SDK over loopback HTTP), on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from arrears.core.clock import SimulatedClock
from arrears.fakes.stripe import FakeStripe, serve, signed
from arrears.settings import Settings
from arrears.system import System, build_system
from tests.payments.support import BUSINESS, NOW


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeStripe]:
    running = FakeStripe(now=lambda: clock.now().timestamp())
    stop = serve(running)
    yield running
    stop()


@pytest.fixture
def system(engine: Engine, clock: SimulatedClock, fake: FakeStripe, tmp_path: Path) -> System:
    settings = Settings.model_validate(
        {
            "database_url": engine.url.render_as_string(hide_password=False),
            "outbox_dir": tmp_path / "out",
            "agent_business_name": BUSINESS,
            "stripe_api_key": fake.api_key,
            "stripe_webhook_secret": fake.webhook_secret,
            "stripe_api_base": fake.url,
            "stripe_max_network_retries": 1,
        }
    )
    return build_system(settings, clock=clock, engine=engine)


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(system.web(), raise_server_exceptions=False) as test_client:
        yield test_client


def post_event(
    client: TestClient, event: dict[str, Any], secret: str, timestamp: int, header: str | None = "signed"
) -> int:
    """Deliver one event as Stripe does: the raw JSON body, signed t=...,v1=... (or a given header)."""
    body = json.dumps(event, separators=(",", ":"))
    headers = {"Content-Type": "application/json"}
    if header == "signed":
        headers["Stripe-Signature"] = signed(body, secret, timestamp)
    elif header is not None:
        headers["Stripe-Signature"] = header
    return int(client.post("/v1/stripe/webhook", content=body, headers=headers).status_code)
