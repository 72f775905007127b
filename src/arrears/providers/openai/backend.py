"""The edge half of the optional LLM backend: an OpenAI-compatible chat-completions call over httpx.

This module does I/O, so nothing in the pure agent imports it; the composition root builds a backend from
``LLMConfig`` and the conversation service calls ``LLMBackend.understand`` in place of ``understand``.
The local reading is computed first and returned unchanged (``second_opinion`` None) on any failure: no
endpoint, connection refused, HTTP error (429 included: no retry inside a live turn), timeout, an answer
over ``MAX_BODY`` bytes, malformed JSON, or an answer that breaks the schema. The time budget is hard: the
call runs on a worker thread and the caller stops waiting when the budget is spent.
"""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import httpx

from arrears.agent.llm import RESPONSE_FORMAT, AccountFacts, build_messages, merge, parse_answer
from arrears.agent.understand import Understanding, understand

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")
MAX_BODY = 64 * 1024
"""A labelling answer is a few hundred bytes; anything far larger is refused unread."""


class AnswerTooLarge(ValueError):
    pass


def _read_capped(response: httpx.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise AnswerTooLarge(f"answer over {MAX_BODY} bytes")
    return bytes(body)


class LLMBackend:
    def __init__(self, url: str, model: str, api_key: str | None, timeout_seconds: float) -> None:
        self.url = url.rstrip("/") + (
            "" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions"
        )
        self.model = model
        self.api_key = api_key
        self.timeout = timeout_seconds
        self.failures = 0

    def request(
        self,
        u: Understanding,
        reference: date,
        channel: str,
        context: Sequence[tuple[str, str]] = (),
        facts: AccountFacts | None = None,
    ) -> dict[str, Any]:
        """The chat-completions body for one turn (no card data: the turn is already redacted)."""
        return {
            "model": self.model,
            "messages": build_messages(u, reference, channel, context=context, facts=facts),
            "temperature": 0,
            "max_tokens": 200,
            "response_format": RESPONSE_FORMAT,
        }

    def _content(self, body: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        with (
            httpx.Client(timeout=self.timeout) as client,
            client.stream("POST", self.url, json=body, headers=headers) as response,
        ):
            response.raise_for_status()
            raw = _read_capped(response)
        content = json.loads(raw)["choices"][0]["message"]["content"]
        if not isinstance(content, str):  # a refusal, or a tool call: no answer
            raise ValueError("message content is not text")
        return content

    def understand(
        self,
        text: str | bytes,
        reference: datetime | date,
        channel: str,
        language: str = "en",
        *,
        default_currency: str | None = None,
        context: Sequence[tuple[str, str]] = (),
        facts: AccountFacts | None = None,
    ) -> Understanding:
        """The local reading, with the model's second opinion combined under rule 3 when it answers in time.

        ``context``: the conversation's earlier turns as (speaker, text), oldest first; ``facts``: the
        account's balance, currency, days overdue and the dialogue's stage."""
        u = understand(text, reference, channel, language, default_currency=default_currency)
        day = reference.date() if isinstance(reference, datetime) else reference
        body = self.request(u, day, channel, context, facts)
        future = _POOL.submit(self._content, body)
        try:
            answer = parse_answer(future.result(timeout=self.timeout))
        except Exception:  # any failure at all: the local reading stands
            self.failures += 1
            future.cancel()
            return u
        currency = default_currency or (facts.currency if facts else None)
        return merge(u, answer, model=self.model, reference=day, default_currency=currency)
