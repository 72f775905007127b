"""The edge half of the optional LLM backend: an OpenAI-compatible chat-completions call over httpx.

This module does I/O, so nothing in the pure agent imports it; the composition root builds a backend from
``LLMConfig`` and the conversation service calls ``LLMBackend.understand`` in place of ``understand``.
The deterministic result is computed first and returned unchanged on any failure: no endpoint configured,
connection refused, HTTP error, timeout, malformed or invalid JSON. The time budget is hard: the call runs
on a worker thread and the caller stops waiting when the budget is spent.
"""

from __future__ import annotations

import concurrent.futures
from datetime import date, datetime
from typing import Any

import httpx

from arrears.agent.llm import build_messages, merge, parse_answer
from arrears.agent.understand import Understanding, understand

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")


class LLMBackend:
    def __init__(self, url: str, model: str, api_key: str | None, timeout_seconds: float) -> None:
        self.url = url.rstrip("/") + (
            "" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions"
        )
        self.model = model
        self.api_key = api_key
        self.timeout = timeout_seconds
        self.failures = 0

    def _call(self, u: Understanding, reference: date, channel: str) -> Understanding:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body: dict[str, Any] = {
            "model": self.model,
            "messages": build_messages(u, reference, channel),
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        with httpx.Client(timeout=self.timeout) as client:
            response = client.post(self.url, json=body, headers=headers)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise ValueError("message content is not text")
        return merge(u, parse_answer(content))

    def understand(
        self,
        text: str | bytes,
        reference: datetime | date,
        channel: str,
        language: str = "en",
        *,
        default_currency: str | None = None,
    ) -> Understanding:
        u = understand(text, reference, channel, language, default_currency=default_currency)
        day = reference.date() if isinstance(reference, datetime) else reference
        future = _POOL.submit(self._call, u, day, channel)
        try:
            return future.result(timeout=self.timeout)
        except Exception:  # any failure at all: the deterministic answer stands
            self.failures += 1
            future.cancel()
            return u
