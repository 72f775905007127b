"""The LLM backend against a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions shape."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from arrears.agent import Label
from arrears.providers.openai.backend import LLMBackend

REF = datetime(2026, 3, 4, 10, 0)


class FakeOpenAI:
    def __init__(self) -> None:
        self.reply: Any = {}
        self.status = 200
        self.delay = 0.0
        self.raw: bytes | None = None
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []


@pytest.fixture
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append((dict(self.headers), body))
            time.sleep(fake.delay)
            if fake.raw is not None:
                payload = fake.raw
            else:
                content = fake.reply if isinstance(fake.reply, str) else json.dumps(fake.reply)
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                ).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def backend(url: str, timeout: float = 2.0) -> LLMBackend:
    return LLMBackend(url, "test-model", "sk-test", timeout)


def test_valid_answer_fills_what_the_rules_missed(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["promise_to_pay"], "date": "2026-03-20", "amount": "45", "currency": "gbp"}
    u = backend(url).understand("the usual, on the twentieth-ish, forty five quid or so", REF, "sms")
    assert u.main is Label.PROMISE_TO_PAY
    headers, body = fake.requests[0]
    assert headers["Authorization"] == "Bearer sk-test"
    assert body["model"] == "test-model" and body["messages"][0]["role"] == "system"


def test_model_cannot_drop_an_escalation_or_see_card_data(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.reply = {"labels": ["pay_now"]}
    u = backend(url).understand("i lost my job, card 4111 1111 1111 1111", REF, "chat")
    assert Label.HARDSHIP in u.labels and u.contains_card
    sent = json.dumps(fake.requests[0][1])
    assert "4111" not in sent


@pytest.mark.parametrize(
    "setup",
    [
        lambda f: setattr(f, "reply", "not json at all"),
        lambda f: setattr(f, "reply", {"labels": ["not_a_label"]}),
        lambda f: setattr(f, "reply", {"labels": []}),
        lambda f: setattr(f, "reply", {"labels": ["affirm"], "currency": "XXQ"}),
        lambda f: setattr(f, "status", 500),
        lambda f: setattr(f, "raw", b'{"choices": []}'),
    ],
)
def test_any_bad_answer_leaves_the_deterministic_result(server: tuple[FakeOpenAI, str], setup: Any) -> None:
    fake, url = server
    setup(fake)
    b = backend(url)
    u = b.understand("i will pay $20 on friday", REF, "sms")
    assert (u.main, u.amount, u.date) == (Label.PROMISE_TO_PAY, "20.00", date(2026, 3, 6))
    assert b.failures == 1


def test_time_budget_is_hard(server: tuple[FakeOpenAI, str]) -> None:
    fake, url = server
    fake.delay = 1.5
    fake.reply = {"labels": ["refuse"]}
    started = time.perf_counter()
    u = backend(url, timeout=0.2).understand("i will pay tomorrow", REF, "sms")
    assert time.perf_counter() - started < 0.8
    assert u.main is Label.PROMISE_TO_PAY


def test_connection_refused_falls_back() -> None:
    b = LLMBackend("http://127.0.0.1:9/v1", "m", None, 0.5)
    assert b.understand("wrong number", REF, "sms").main is Label.WRONG_PARTY
    assert b.failures == 1
