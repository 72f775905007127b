"""Build the engine's parts from settings: the one place that picks implementations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.sync import StrategyResolver
from arrears.channels.base import Channel
from arrears.channels.local import local_channels
from arrears.compliance.gate import ProfileGate
from arrears.compliance.minimal import MinimalGate
from arrears.compliance.model import ContactGate
from arrears.compliance.rendering import RenderedDisclosures, render_disclosures
from arrears.conversations.context import AgentConfig
from arrears.conversations.service import ConversationService
from arrears.engine.facts import CaseFacts
from arrears.settings import Settings
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import StrategyVersion
from arrears.strategy.catalog import StrategyLibrary


@lru_cache(maxsize=8)
def _library(directory: Path | None) -> StrategyLibrary:
    return StrategyLibrary.load(directory)


def strategy_library(settings: Settings) -> StrategyLibrary:
    return _library(settings.strategies_dir)


def strategy_resolver(settings: Settings) -> StrategyResolver:
    """An account's named strategy (or the default) at its latest version: new cases take the newest."""
    library = strategy_library(settings)

    def resolve(name: str | None) -> tuple[str, int]:
        chosen = name if name and library.versions(name) else settings.default_strategy
        loaded = library.get(chosen)
        return loaded.key

    return resolve


def contact_gate(settings: Settings) -> ContactGate:
    """The profile-driven gate (every hard rule of RULES.md), or the stop-gap one when asked for."""
    if settings.gate == "minimal":
        return MinimalGate()
    dirs = (settings.profiles_dir,) if settings.profiles_dir else ()
    return ProfileGate.from_files(settings.collector_kind, settings.tenant_file, dirs)


DisclosureRenderer = Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures]


def disclosure_texts(gate: ContactGate, settings: Settings) -> DisclosureRenderer:
    """The words and headers behind the disclosure ids of a decision, from the policy of the customer's
    place, with this deployment's name, links and the decision's validation date filled in."""
    if not isinstance(gate, ProfileGate):
        return lambda _facts, _decision: RenderedDisclosures()

    def rendered(facts: CaseFacts, decision: Mapping[str, Any]) -> RenderedDisclosures:
        policy = gate.policy_for(facts.address)
        if policy is None:
            return RenderedDisclosures()
        base = (settings.public_base_url or "").rstrip("/")
        values = {
            "company": settings.agent_business_name,
            "creditor": settings.agent_business_name,
            "company_neutral_name": settings.agent_business_name,
            "callback_number": settings.agent_callback_number,
            "consumer_name": facts.customer_name,
            "validation_period_end": str(decision.get("validation_period_end") or ""),
            "unsubscribe_url": f"{base}/u/{facts.case_id}" if base else "",
            "unsubscribe_mailto": settings.unsubscribe_email,
            "language_services": settings.language_services,
        }
        return render_disclosures(policy.disclosures, values)

    return rendered


def channels(settings: Settings) -> dict[str, Channel]:
    """Local file sinks, with Twilio taking voice, SMS and WhatsApp over when it is configured."""
    chosen: dict[str, Channel] = dict(local_channels(settings.outbox_dir))
    from arrears.integrations.twilio import TwilioConfig

    config = TwilioConfig.from_settings(settings)
    if config is None or not config.from_number:
        return chosen
    from arrears.channels.twilio import TwilioMessaging, TwilioVoice
    from arrears.integrations.twilio import make_client

    client = make_client(config)
    chosen["sms"] = TwilioMessaging(client, "sms", config.from_number, config.public_base_url)
    if config.whatsapp_from:
        chosen["whatsapp"] = TwilioMessaging(client, "whatsapp", config.whatsapp_from, config.public_base_url)
    if config.public_base_url:  # a call needs webhooks Twilio can reach
        chosen["voice"] = TwilioVoice(client, config.from_number, config.public_base_url)
    return chosen


def conversation_service(settings: Settings, gate: ContactGate | None = None) -> ConversationService:
    """The agent as this deployment presents it: business name, callback number, staff line, and the
    disclosure texts of the customer's place."""
    config = AgentConfig(
        business_name=settings.agent_business_name,
        callback_number=settings.agent_callback_number,
        staff_available=settings.agent_transfer_number is not None,
        transfer_number=settings.agent_transfer_number,
        disclosure_texts=disclosure_texts(gate or contact_gate(settings), settings),
    )
    return ConversationService(config)


def register_strategies(session: Session, library: StrategyLibrary, now: datetime) -> None:
    """Record every strategy version that may run, so audits and review counters can refer to it."""
    known = set(session.execute(select(StrategyVersion.name, StrategyVersion.version)).tuples())
    rows = [
        {
            "id": f"{loaded.key[0]}:{loaded.key[1]}"[:32],
            "name": loaded.key[0],
            "version": loaded.key[1],
            "content_hash": loaded.content_hash,
            "body": loaded.strategy.model_dump_json(),
            "review_first_n": loaded.strategy.review_first_n,
            "actions_planned": 0,
            "loaded_at": now,
        }
        for loaded in library
        if loaded.key not in known
    ]
    # Workers starting together race here; the id derives from (name, version): any conflict is the same row.
    insert_ignoring_duplicates(session, StrategyVersion.__table__, rows, None)
