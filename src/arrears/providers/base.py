"""What a provider offers the system: channels, inbox handlers for its webhooks, webhook routes, and an
understanding backend. Each provider is a package (client, channel, webhook routes, typed settings); the
composition root fills its settings and collects its offer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import StrategyResolver
from arrears.channels.base import Channel
from arrears.conversations.reading import ReadTurn
from arrears.conversations.service import ConversationService
from arrears.conversations.words import WordsService
from arrears.core.clock import Clock
from arrears.inbox import Handler, Inbox
from arrears.payments.links import PaymentLinks
from arrears.providers.checks import ProviderCheck
from arrears.writeback.base import Destination


@dataclass(frozen=True)
class Parts:
    """The shared services a provider builds on (built by the composition root before providers)."""

    sessions: sessionmaker[Session]
    clock: Clock
    conversations: ConversationService
    words: WordsService
    #: The account's strategy for a new case: a payment a provider reports goes through the billing path.
    resolve_strategy: StrategyResolver


@dataclass(frozen=True)
class Offer:
    name: str
    channels: Mapping[str, Channel] = field(default_factory=dict)
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    #: Webhook routes; they store what arrives in the inbox, so they are made once the inbox exists.
    routes: Callable[[Inbox], APIRouter] | None = None
    understand: ReadTurn | None = None
    #: Payment links this provider issues; the composition root uses the last offer that has them.
    payment_links: PaymentLinks | None = None
    #: Where this provider writes domain events back (a CRM, signed webhooks, Slack alerts).
    destinations: Sequence[Destination] = ()
    #: Read-only calls that prove its credentials and settings (`arrears providers check`).
    checks: Sequence[ProviderCheck] = ()
