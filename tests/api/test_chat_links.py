"""A payment link offered in a web chat is a real link, one per turn: a retried turn quotes the same URL,
and the URL opens the payment page for that case."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key
from arrears.core.clock import SimulatedClock
from arrears.store.models import PaymentLink
from arrears.system import System
from tests.api.conftest import auth
from tests.conversations.support import NOW, seed_case
from tests.payments.support import system_for


@pytest.fixture
def system(engine: Engine, clock: SimulatedClock, tmp_path: Path) -> System:
    return system_for(engine, clock, tmp_path)


def test_the_agent_quotes_one_real_link_per_turn(client: TestClient, sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        _, token = create_api_key(session, name="portal", scopes=["chat"], now=NOW)
    opened = client.post("/v1/chat", json={"case_id": case_id}, headers=auth(token)).json()
    path = f"/v1/chat/{opened['conversation_id']}/messages"
    for n, words in enumerate(["yes", "10001"]):
        assert client.post(path, json={"text": words}, headers=auth(token, f"m{n}")).status_code == 200
    asked = {"text": "I want to pay now, send me a link"}
    reply = client.post(path, json=asked, headers=auth(token, "m2")).json()["reply"]
    again = client.post(path, json=asked, headers=auth(token, "m2")).json()
    found = re.search(r"Pay securely: (\S+)", reply)
    assert found is not None and again["replayed"] and again["reply"] == reply
    url = found.group(1)
    assert url.startswith("http://127.0.0.1:8000/pay/") and case_id not in url
    with sessions() as session:
        link = session.scalars(select(PaymentLink)).one()
    assert (link.url, link.case_id, link.amount_minor, link.currency) == (url, case_id, 24_350, "USD")
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and "$243.50" in page.text and "INV-1001" in page.text
