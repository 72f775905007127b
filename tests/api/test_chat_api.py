"""Web chat over the API: a `chat`-scoped key opens a conversation and plays turns; retries with the same
Idempotency-Key change nothing; other keys are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key
from arrears.store.models import Outcome, Promise
from tests.api.conftest import auth
from tests.conversations.support import NOW, seed_case


def test_a_chat_books_a_promise_and_retries_are_harmless(
    client: TestClient, sessions: sessionmaker[Session], keys: dict[str, str]
) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        _, token = create_api_key(session, name="portal", scopes=["chat"], now=NOW)
    assert client.post("/v1/chat", json={"case_id": case_id}, headers=auth(keys["both"])).status_code == 403
    opened = client.post("/v1/chat", json={"case_id": case_id}, headers=auth(token))
    assert opened.status_code == 201 and "Am I speaking with" in opened.json()["reply"]
    path = f"/v1/chat/{opened.json()['conversation_id']}/messages"
    replies = []
    for n, words in enumerate(["yes", "10001", "I will pay 243.50 on march 20", "yes"]):
        response = client.post(path, json={"text": words}, headers=auth(token, f"m{n}"))
        assert response.status_code == 200, response.text
        replies.append(response.json())
    assert "$243.50" in replies[1]["reply"] and replies[-1]["ended"] and replies[-1]["outcome_id"]
    again = client.post(path, json={"text": "yes"}, headers=auth(token, "m3")).json()
    assert again["replayed"] and again["reply"] == replies[-1]["reply"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Promise)) == 1
        assert session.scalars(select(Outcome.routing)).one() == "booked"
    missing = client.post("/v1/chat/nope/messages", json={"text": "hi"}, headers=auth(token))
    assert missing.status_code == 404
