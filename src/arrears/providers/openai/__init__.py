"""An optional OpenAI-compatible chat-completions backend that may add to the rules' understanding."""

from __future__ import annotations

from dataclasses import dataclass

from arrears.providers.base import Offer
from arrears.providers.openai.backend import LLMBackend


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 2.0


def offer(config: LLMConfig) -> Offer:
    backend = LLMBackend(config.url, config.model, config.api_key, config.timeout_seconds)
    return Offer("openai", understand=backend.understand)


__all__ = ["LLMBackend", "LLMConfig", "offer"]
