"""The embedded default: every channel lands in a file under one folder (docs/channels.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from arrears.providers.base import Offer
from arrears.providers.local.sinks import EmailFileSink, JsonLinesSink, local_channels


@dataclass(frozen=True)
class LocalConfig:
    outbox_dir: Path
    email_from: str = "Arrears <collections@arrears.local>"


def offer(config: LocalConfig) -> Offer:
    return Offer("local", channels=dict(local_channels(config.outbox_dir)))


__all__ = ["EmailFileSink", "JsonLinesSink", "LocalConfig", "local_channels", "offer"]
