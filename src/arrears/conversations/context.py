"""What the agent may know about a case, read from the store into the dialogue's ``CaseContext``.

Every fact the agent can say comes from here (balance, days overdue, invoice numbers, prior promises), so
the dialogue never invents one. The disclosures are the ones the contact gate decided this contact must
carry; the identity check is a fact from the customer record that a stranger is unlikely to know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from arrears.agent.dialogue import CaseContext, IdentityCheck, PriorPromise, Tone
from arrears.casefacts.load import load_case_facts
from arrears.casefacts.model import CaseFacts
from arrears.compliance.rendering import RenderedDisclosures
from arrears.conversations.effects import IDENTITY_FAILED
from arrears.conversations.terms import bounds_for
from arrears.core.money import Money
from arrears.outcomes import StrategyLookup
from arrears.store.models import (
    Account,
    AuditEntry,
    Case,
    ContactPoint,
    Customer,
    Interaction,
    Invoice,
    OutboxAction,
    Promise,
)

_TONES = {"friendly": Tone.FRIENDLY, "neutral": Tone.FRIENDLY, "firm": Tone.FIRM, "final": Tone.FINAL}
_KEPT = {"kept": True, "broken": False}


def _no_texts(_facts: CaseFacts, _decision: Mapping[str, Any]) -> RenderedDisclosures:
    return RenderedDisclosures()


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """Deployment facts the agent states: who it calls for, a number to call back, whether staff can take
    a warm transfer, and the texts behind the gate's disclosure ids."""

    business_name: str = "our company"
    callback_number: str = ""
    staff_available: bool = False
    transfer_number: str | None = None
    disclosure_texts: Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures] = field(default=_no_texts)
    identity_attempts: int = 3
    """Failed verification answers a customer may give within ``identity_window``, over all conversations
    and channels, before the identity is locked out and a person takes over."""
    identity_window: timedelta = timedelta(hours=24)


class CaseNotFound(LookupError):
    """No open case behind the conversation: the agent has nothing it may say."""


def local_now(now: datetime, zone: str | None) -> datetime:
    try:
        return now.astimezone(ZoneInfo(zone)) if zone else now
    except (ZoneInfoNotFoundError, ValueError):
        return now


def _decision(session: Session, case_id: str, outbox_id: str | None) -> dict[str, Any] | None:
    """The gate decision of the contact this conversation answers, else the latest one on the case."""
    query = select(Interaction.decision).where(
        Interaction.case_id == case_id, Interaction.direction == "outbound", Interaction.decision.is_not(None)
    )
    if outbox_id is not None:
        found: dict[str, Any] | None = session.scalars(
            query.where(Interaction.outbox_id == outbox_id).limit(1)
        ).first()
        if found:
            return found
    latest: dict[str, Any] | None = session.scalars(
        query.order_by(Interaction.occurred_at.desc()).limit(1)
    ).first()
    return latest


#: Channels whose replies leave as messages: the message renderer adds the disclosures the gate requires
#: of each reply when it is sent (and one opt-out line), so the agent's words carry none of them; said twice,
#: a text ran to 770 characters with "reply STOP" three times.
WRITTEN = frozenset({"sms", "whatsapp", "email"})


def _disclosures(
    session: Session, case: Case, now: datetime, config: AgentConfig, outbox_id: str | None
) -> tuple[str, ...]:
    decision = _decision(session, case.id, outbox_id)
    ids = [str(d) for d in (decision or {}).get("disclosures", [])]
    if not ids:
        return ()
    facts = load_case_facts(session, [case.id], now).get(case.id)
    if facts is None:
        raise LookupError(f"case {case.id}: no facts to say its disclosures from")
    texts = config.disclosure_texts(facts, decision or {}).texts
    # Only words are said: an id without words is an email header (List-Unsubscribe) or an instruction
    # the dialogue itself carries out (right-party verification), never a sentence to read out.
    return tuple(texts[d] for d in ids if texts.get(d))


def _link_channel(session: Session, customer_id: str, channel: str) -> str:
    """Where a payment link goes: the thread itself for texts, else a mobile, else email, else a phone of
    unknown kind (the gate judges it), else the chat itself."""
    if channel in ("sms", "whatsapp"):
        return channel
    points = set(
        session.execute(
            select(ContactPoint.channel, ContactPoint.kind).where(ContactPoint.customer_id == customer_id)
        ).tuples()
    )
    if ("phone", "mobile") in points:
        return "sms"
    if any(kind == "email" for kind, _ in points):
        return "email"
    if channel == "chat":
        return "chat"
    return "sms"


def failed_identity(session: Session, customer_id: str, since: datetime) -> int:
    """Failed verification answers for the customer since ``since`` (stored by ``effects`` in the audit
    trail, which is append-only: a failure cannot be taken back). On PostgreSQL the count waits for any
    other turn of this customer to commit: parallel conversations must not each see the old count."""
    if session.get_bind().dialect.name == "postgresql":
        key = f"identity:{customer_id}"
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    count = session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.entity_id == customer_id,
            AuditEntry.entity == "customer",
            AuditEntry.action == IDENTITY_FAILED,
            AuditEntry.at >= since,
        )
    )
    return int(count or 0)


def build_context(
    session: Session,
    case_id: str,
    channel: str,
    now: datetime,
    config: AgentConfig,
    *,
    outbox_id: str | None = None,
    disclosures: tuple[str, ...] | None = None,
    strategy_for: StrategyLookup | None = None,
) -> CaseContext:
    """The case as the agent may know it now. `disclosures`: what this conversation was told to say at its
    start (kept on the conversation), so a turn does not judge the contact again. `strategy_for`: where
    the case's strategy (and so what the agent may agree) comes from."""
    row = session.execute(
        select(Case, Customer, Account)
        .join(Customer, Customer.id == Case.customer_id)
        .join(Account, Account.id == Case.account_id)
        .where(Case.id == case_id)
    ).first()
    if row is None:
        raise CaseNotFound(case_id)
    case, customer, account = row
    today = local_now(now, customer.time_zone).date()
    invoices, promises = _invoices_and_promises(session, account.id, case.id)
    tone, step_id = _last_contact(session, case.id)
    strategy = strategy_for(case.strategy_name, case.strategy_version) if strategy_for else None
    balance = Money(case.balance_minor, case.currency)
    bounds = bounds_for(
        strategy, step_id, segment=customer.segment, tier=customer.tier, balance=balance, today=today
    )
    identity = (
        IdentityCheck("postcode", customer.postal_code)
        if customer.postal_code
        else IdentityCheck("account_number", account.external_id)
    )
    return CaseContext(
        customer_name=customer.name,
        identity=identity,
        business_name=config.business_name,
        balance=balance,
        days_overdue=max(0, (today - case.oldest_due_on).days),
        today=today,
        invoice_numbers=tuple(invoices),
        prior_promises=promises,
        tone=_TONES.get(str(tone.get("tone", "friendly")), Tone.FRIENDLY),
        disclosures=()
        if channel in WRITTEN
        else disclosures
        if disclosures is not None
        else _disclosures(session, case, now, config, outbox_id),
        staff_available=config.staff_available,
        callback_number=config.callback_number,
        channel=channel,
        link_channel=_link_channel(session, customer.id, channel),
        failed_identity=failed_identity(session, customer.id, now - config.identity_window),
        identity_limit=config.identity_attempts,
        locale=customer.locale,
        plan_bounds=bounds.plan,
        settlement=bounds.settlement,
        max_promise_days=bounds.max_promise_days,
        segment=customer.segment or "",
        tier=customer.tier or "",
    )


def _invoices_and_promises(
    session: Session, account_id: str, case_id: str
) -> tuple[tuple[str, ...], tuple[PriorPromise, ...]]:
    """The open invoices' numbers, and the promises made on the case (kept, broken or pending)."""
    invoices = session.scalars(
        select(Invoice.number)
        .where(Invoice.account_id == account_id, Invoice.status == "open", Invoice.balance_minor > 0)
        .order_by(Invoice.due_on)
    ).all()
    promises = session.execute(
        select(Promise.due_on, Promise.amount_minor, Promise.currency, Promise.status)
        .where(Promise.case_id == case_id, Promise.status != "cancelled")
        .order_by(Promise.created_at)
    ).all()
    prior = tuple(
        PriorPromise(due_on, Money(minor, currency), _KEPT.get(status))
        for due_on, minor, currency, status in promises
    )
    return tuple(invoices), prior


def _last_contact(session: Session, case_id: str) -> tuple[Mapping[str, Any], str | None]:
    """The payload and step of the case's latest contact: its tone is the agent's, its step's terms too."""
    row = session.execute(
        select(OutboxAction.payload, OutboxAction.step_id)
        .where(OutboxAction.case_id == case_id, OutboxAction.kind == "contact")
        .order_by(OutboxAction.created_at.desc())
        .limit(1)
    ).first()
    return (row[0] or {}, row[1]) if row is not None else ({}, None)
