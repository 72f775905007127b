"""The parts that settings choose, built once: strategies, the contact gate and the words behind its
disclosures. Only the composition root calls these; nothing below it sees settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from arrears.casefacts.model import CaseFacts
from arrears.cases.sync import StrategyResolver
from arrears.compliance.gate import ProfileGate
from arrears.compliance.minimal import MinimalGate
from arrears.compliance.model import Address, CallerKind, ContactGate, Purpose
from arrears.compliance.rendering import RenderedDisclosures, render_disclosures
from arrears.core import faults
from arrears.core.clock import Clock, StartedClock, SystemClock
from arrears.core.faults import FaultPlan
from arrears.messages.catalogue import catalogue
from arrears.messages.config import MessageConfig
from arrears.messages.formatting import day
from arrears.messages.render import UNSUBSCRIBE_SLOT, VALIDATION_END_SLOT, Business
from arrears.outcomes import StrategyLookup
from arrears.settings import Settings
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.errors import BusinessNameMissing

DisclosureRenderer = Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures]


def strategy_resolver(library: StrategyLibrary, default: str) -> StrategyResolver:
    """An account's named strategy (or the default) at its latest version: new cases take the newest."""

    def resolve(name: str | None) -> tuple[str, int]:
        chosen = name if name and library.versions(name) else default
        return library.get(chosen).key

    return resolve


def strategy_lookup(library: StrategyLibrary) -> StrategyLookup:
    """A (name, version) as this deployment's library has it; None when it does not."""
    return lambda name, version: (
        library.strategy(name, version) if version in library.versions(name) else None
    )


def contact_gate(settings: Settings) -> ContactGate:
    """The profile-driven gate (every hard rule of RULES.md), or the stop-gap one when asked for."""
    if settings.gate == "minimal":
        return MinimalGate()
    dirs = (settings.profiles_dir,) if settings.profiles_dir else ()
    return ProfileGate.from_files(settings.collector_kind, settings.tenant_file, dirs)


def disclosure_texts(gate: ContactGate, settings: Settings, *, slots: bool = False) -> DisclosureRenderer:
    """The words and headers behind the disclosure ids of a decision, from the policy of the customer's
    place, with this deployment's name, links and the decision's validation date filled in.

    `slots`: for messages, the send's own unsubscribe URL and the date in the reader's locale are left as
    slots the message fills (`arrears.messages.render`); the agent gets them filled here."""
    if not isinstance(gate, ProfileGate):
        return lambda _facts, _decision: RenderedDisclosures()

    def rendered(facts: CaseFacts, decision: Mapping[str, Any]) -> RenderedDisclosures:
        policy = gate.policy_for(facts.address)
        if policy is None:
            return RenderedDisclosures()
        ends = decision.get("validation_period_end")
        values = {
            "company": settings.agent_business_name,
            "creditor": settings.agent_business_name,
            "company_neutral_name": settings.agent_business_name,
            "callback_number": business_phone(settings),
            "consumer_name": facts.customer_name,
            "validation_period_end": (
                (VALIDATION_END_SLOT if slots else day(date.fromisoformat(str(ends)), facts.locale))
                if ends
                else ""
            ),
            "unsubscribe_url": UNSUBSCRIBE_SLOT if slots else "",
            "unsubscribe_mailto": settings.unsubscribe_email,
            "language_services": settings.language_services,
        }
        return render_disclosures(policy.disclosures, values)

    return rendered


def business_phone(settings: Settings) -> str:
    """The number messages and the agent give out: ARREARS_BUSINESS_PHONE, else the callback number."""
    return (settings.business_phone or settings.agent_callback_number or "").strip()


def message_config(settings: Settings, *, required: bool = True) -> MessageConfig:
    """Who messages are from and how they are finished. Without a business name nothing may be sent:
    `BusinessNameMissing` (a preview, `required=False`, shows a marker instead)."""
    name = (settings.business_name or "").strip()
    if not name and required:
        raise BusinessNameMissing()
    return MessageConfig(
        Business(
            name or "[ARREARS_BUSINESS_NAME not set]",
            settings.business_address,
            business_phone(settings) or None,
        ),
        catalogue(settings.templates_dir),
        settings.unsubscribe_email or None,
        timedelta(days=settings.payment_link_days),
    )


#: Where `strategy validate` samples disclosures: a US state without a profile of its own (the federal
#: rules of the deployment's collector kind); places with more (New York City) show in `compliance`.
_SAMPLE_ADDRESS = Address(country="US", state="IL", city="Springfield", postal_code="62701")


def sample_disclosures(settings: Settings) -> Callable[[str, str, bool], tuple[tuple[str, str], ...]]:
    """For `strategy validate`: the words a first (`initial`) or later contact on a channel would carry
    under this deployment's rules (collector kind, tenant, profiles) for a US customer, person or
    business."""
    gate = contact_gate(settings)
    policy = gate.policy_for(_SAMPLE_ADDRESS) if isinstance(gate, ProfileGate) else None
    if policy is None:
        return lambda _channel, _kind, _initial: ()
    texts = render_disclosures(
        policy.disclosures,
        {
            "company": settings.agent_business_name,
            "creditor": settings.agent_business_name,
            "callback_number": business_phone(settings),
            "validation_period_end": VALIDATION_END_SLOT,
            "unsubscribe_url": UNSUBSCRIBE_SLOT,
            "language_services": settings.language_services,
        },
    ).texts

    def chosen(channel: str, kind: str, initial: bool) -> tuple[tuple[str, str], ...]:
        caller = CallerKind.AI_VOICE if channel == "voice" else CallerKind.TEXT
        return tuple(
            (d.id, texts[d.id])
            for d in policy.disclosures.values()
            if d.id in texts
            and d.when != ("subsequent" if initial else "initial")
            and d.requires is None
            and kind in d.debtors
            and (d.channels is None or channel in d.channels)
            and (d.caller_kinds is None or caller in d.caller_kinds)
            and (d.purposes is None or Purpose.COLLECTION in d.purposes)
        )

    return chosen


def process_clock(settings: Settings) -> Clock:
    """The system clock, or one started at ARREARS_CLOCK_START (rehearsals, the reliability suite)."""
    if settings.clock_start is None:
        return SystemClock()
    return StartedClock(settings.clock_start, settings.clock_anchor)


def arm_faults(settings: Settings) -> None:
    """Arm this process's crash point when ARREARS_FAULT_AT asks for one (the reliability suite)."""
    if settings.fault_at is not None and settings.fault_marker is not None:
        faults.arm(FaultPlan.parse(settings.fault_at, settings.fault_marker))
