"""The composition root: everything the running product uses, built once from settings.

The CLI, `arrears serve`, the worker and the demo call `build_system(settings)`; nothing below this package
reads settings or imports it. It chooses implementations (gate, providers, the understanding backend),
builds the services around them, the inbox's one handler table, and from those the worker and the web app.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import StrategyResolver
from arrears.channels.base import Channel
from arrears.compliance.model import ContactGate
from arrears.conversations.context import AgentConfig
from arrears.conversations.inputs import conversation_handlers
from arrears.conversations.reading import read_locally
from arrears.conversations.service import ConversationService
from arrears.conversations.words import WordsService
from arrears.core.clock import Clock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.engine.strategies import register_strategies
from arrears.engine.worker import Worker
from arrears.events import BILLING_KINDS, billing_handler
from arrears.inbox import Handler, Inbox
from arrears.messages.config import MessageConfig
from arrears.payments import PaymentLinks, PaymentLinksInSession, UnsubscribeLinks
from arrears.payments.secret import LinkSecret
from arrears.payments.unsubscribe import SignedUnsubscribeLinks, unsubscribe_handlers
from arrears.providers.base import Offer, Parts
from arrears.settings import Settings, get_settings
from arrears.store.db import make_engine, session_factory, transaction
from arrears.strategy.catalog import StrategyLibrary
from arrears.summary import DailySummary, SummaryConfig
from arrears.system.parts import (
    DisclosureRenderer,
    arm_faults,
    business_phone,
    contact_gate,
    disclosure_texts,
    message_config,
    process_clock,
    strategy_lookup,
    strategy_resolver,
)
from arrears.system.registry import (
    channel_offers,
    chosen_payment_links,
    link_secret,
    public_base_url,
    understanding_offer,
)
from arrears.system.resilience import guarded_channels, provider_guards
from arrears.system.writeback import writeback_runner

if TYPE_CHECKING:  # the web app is built only by `serve`: a worker does not pay for importing FastAPI
    from fastapi import FastAPI


@dataclass
class System:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    library: StrategyLibrary
    resolve_strategy: StrategyResolver
    gate: ContactGate
    disclosures: DisclosureRenderer
    conversations: ConversationService
    words: WordsService
    offers: tuple[Offer, ...]
    handlers: Mapping[str, Handler]
    inbox: Inbox
    link_secret: LinkSecret
    messages: MessageConfig
    owns_engine: bool = True

    @cached_property
    def channels(self) -> dict[str, Channel]:
        """Every provider's channels, each behind its provider's circuit breaker and rate limits (the local
        sinks bare); a later provider replaces an earlier one on the same channel."""
        return guarded_channels(self.offers, provider_guards(self.settings))  # breakers, rate limits

    @cached_property
    def payment_links(self) -> PaymentLinks | None:
        """The last provider's payment links (the local page unless a provider such as Stripe replaces it);
        the signing key is read here, before any send's transaction needs it."""
        self.link_secret.key()
        return chosen_payment_links(self.offers)

    @cached_property
    def unsubscribe_links(self) -> UnsubscribeLinks:
        self.link_secret.key()
        return self._unsubscribe

    @cached_property
    def _unsubscribe(self) -> SignedUnsubscribeLinks:
        return SignedUnsubscribeLinks(public_base_url(self.settings), self.link_secret)

    def register_strategies(self) -> None:
        with transaction(self.sessions) as session:
            register_strategies(session, self.library, self.clock.now())

    def worker(self, worker_id: str | None = None) -> Worker:
        """A worker for this process (strategies recorded first, so outcomes can be routed by them)."""
        self.register_strategies()
        s = self.settings
        planner = Planner(self.sessions, self.clock, self.library, self.gate, batch_size=s.batch_size)
        dispatcher = Dispatcher(
            self.sessions,
            self.clock,
            self.channels,
            self.gate,
            worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}",
            lease_seconds=s.lease_seconds,
            send_margin_seconds=s.send_margin_seconds,
            batch_size=min(s.batch_size, 200),
            disclosures_for=disclosure_texts(self.gate, s, slots=True),  # the message fills its own link
            retry_for=lambda name, version: self.library.strategy(name, version).retry,
            spacing_for=lambda name, version: self.library.strategy(name, version).spacing,
            send_concurrency=s.send_concurrency,
            messages=self.messages,
            payment_links=self.payment_links,
            unsubscribe_links=self.unsubscribe_links,
        )
        return Worker(
            self.sessions,
            self.clock,
            inbox=self.inbox,
            planner=planner,
            dispatcher=dispatcher,
            resolve_strategy=self.resolve_strategy,
            writeback=writeback_runner(s, self.sessions, self.clock, self.offers, dispatcher.worker_id),
            poll_seconds=s.worker_poll_seconds,
            daily=self.summary().tick if s.summary_addresses else None,  # the daily summary
        )

    def summary(self) -> DailySummary:
        """the daily manager summary (ARREARS_SUMMARY_*), sent through the e-mail channel."""
        s = self.settings
        config = SummaryConfig(
            s.summary_addresses, s.summary_hour, s.summary_time_zone, s.summary_locale, s.agent_business_name
        )
        return DailySummary(self.sessions, self.clock, self.channels["email"], config)

    def web(self) -> FastAPI:
        from arrears.api.app import Web, create_app
        from arrears.api.routes_unsubscribe import unsubscribe_routes

        routers = [offer.routes(self.inbox) for offer in self.offers if offer.routes is not None]
        business = self.settings.agent_business_name
        routers.append(unsubscribe_routes(self._unsubscribe, self.inbox, business))
        return create_app(
            Web(
                self.sessions,
                self.clock,
                self.inbox,
                routers,
                on_shutdown=self.dispose,
                max_body_bytes=self.settings.max_body_bytes,
            )
        )

    def dispose(self) -> None:
        if self.owns_engine:
            self.engine.dispose()


def build_system(settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None) -> System:
    """Build every part from settings; an engine passed in stays the caller's to dispose.

    Refuses (`BusinessNameMissing`, a `ConfigError`) without a business name: nothing may be sent unsigned."""
    messages = message_config(settings)
    owns_engine = engine is None
    engine = engine or make_engine(
        settings.database_url, idle_transaction_seconds=settings.database_idle_transaction_seconds
    )
    sessions = session_factory(engine)
    clock = clock or process_clock(settings)
    arm_faults(settings)
    library = StrategyLibrary.load(settings.strategies_dir)
    gate = contact_gate(settings)
    disclosures = disclosure_texts(gate, settings)
    understood = understanding_offer(settings)
    conversations = ConversationService(
        AgentConfig(
            business_name=messages.business.name,
            callback_number=business_phone(settings),
            staff_available=settings.agent_transfer_number is not None,
            transfer_number=settings.agent_transfer_number,
            disclosure_texts=disclosures,
            identity_attempts=settings.agent_identity_attempts,
            identity_window=timedelta(hours=settings.agent_identity_window_hours),
        ),
        understand_fn=understood.understand if understood and understood.understand else read_locally,
        strategy_for=strategy_lookup(library),
        link_validity=timedelta(days=settings.payment_link_days),
    )
    words = WordsService(conversations)
    resolver = strategy_resolver(library, settings.default_strategy)
    secret = link_secret(settings, sessions, clock)
    offers = tuple(channel_offers(settings, Parts(sessions, clock, conversations, words, resolver), secret))
    # Providers are built on the conversation service, so it learns the chosen links after them.
    conversations.payment_links = _links_in_session(offers)
    handlers = inbox_handlers(resolver, conversations, words, offers)
    return System(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        library=library,
        resolve_strategy=resolver,
        gate=gate,
        disclosures=disclosures,
        conversations=conversations,
        words=words,
        offers=(*offers, *((understood,) if understood else ())),
        handlers=handlers,
        inbox=Inbox(sessions, clock, handlers),
        link_secret=secret,
        messages=messages,
        owns_engine=owns_engine,
    )


def inbox_handlers(
    resolver: StrategyResolver,
    conversations: ConversationService,
    words: WordsService,
    offers: tuple[Offer, ...],
) -> dict[str, Handler]:
    """The one handler table: every kind of input the inbox may hold, and what applies it."""
    billing = billing_handler(resolver)
    table: dict[str, Handler] = {kind: billing for kind in BILLING_KINDS}
    table.update(conversation_handlers(conversations, words))
    table.update(unsubscribe_handlers())
    for offer in offers:
        clash = set(offer.handlers) & set(table)
        if clash:
            raise ValueError(f"provider {offer.name} handles kinds already taken: {sorted(clash)}")
        table.update(offer.handlers)
    return table


def _links_in_session(offers: tuple[Offer, ...]) -> PaymentLinksInSession | None:
    """The chosen payment links, when they can be made inside a conversation turn's transaction."""
    links = chosen_payment_links(offers)
    return links if isinstance(links, PaymentLinksInSession) else None


def serve_app() -> FastAPI:
    """The factory `arrears serve` gives uvicorn: each worker process configures its own structured logs."""
    from arrears.logs import configure

    settings = get_settings()
    configure(settings.log_level, json_lines=settings.log_json)
    return build_system(settings).web()


__all__ = ["System", "build_system", "inbox_handlers", "serve_app"]
