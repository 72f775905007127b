"""The embedded default: every channel lands in a file under one folder (docs/channels.md), and payment
links open this app's own page, which records test payments (docs/payments.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import Clock
from arrears.inbox import Inbox
from arrears.payments.secret import LinkSecret
from arrears.providers.base import Offer
from arrears.providers.local.links import LocalPaymentLinks
from arrears.providers.local.routes import pay_routes
from arrears.providers.local.sinks import EmailFileSink, JsonLinesSink, local_channels


@dataclass(frozen=True)
class LocalConfig:
    outbox_dir: Path
    email_from: str = "Arrears <collections@arrears.local>"


@dataclass(frozen=True)
class LocalPayConfig:
    """What the local payment page needs: where customers reach this app, and who they pay."""

    sessions: sessionmaker[Session]
    clock: Clock
    secret: LinkSecret
    public_base_url: str
    business_name: str


def offer(config: LocalConfig, pay: LocalPayConfig | None = None) -> Offer:
    channels = dict(local_channels(config.outbox_dir))
    if pay is None:
        return Offer("local", channels=channels)
    links = LocalPaymentLinks(pay.sessions, pay.clock, pay.public_base_url, pay.secret)

    def routes(inbox: Inbox) -> APIRouter:
        return pay_routes(pay.sessions, pay.clock, pay.secret, pay.business_name, inbox)

    return Offer("local", channels=channels, routes=routes, payment_links=links)


__all__ = [
    "EmailFileSink",
    "JsonLinesSink",
    "LocalConfig",
    "LocalPayConfig",
    "LocalPaymentLinks",
    "local_channels",
    "offer",
]
