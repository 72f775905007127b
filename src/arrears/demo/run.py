"""Run the demo: build a portfolio, then N simulated days through the full engine with simulated people."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sync import sync_cases
from arrears.conversations.service import ConversationService
from arrears.core.clock import SimulatedClock
from arrears.core.ids import idempotency_key, new_id
from arrears.core.money import format_minor
from arrears.demo.calls import CallScript, simulate_call
from arrears.demo.people import CALL_LINES, Persona, Reaction, SimulatedCustomer, assign_personas
from arrears.demo.portfolio import SOURCE, DemoAccount, build_portfolio
from arrears.engine.wiring import channels as make_channels
from arrears.engine.wiring import contact_gate, conversation_service, strategy_resolver
from arrears.engine.worker import Worker
from arrears.metrics.kpis import Kpis, compute_kpis
from arrears.settings import Settings
from arrears.store.db import transaction
from arrears.store.models import Case, Customer, InboxEvent, Interaction, OutboxAction

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoOptions:
    accounts: int = 2000
    days: int = 30
    seed: int = 7
    start: datetime = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    tick: timedelta = timedelta(hours=1)


def run_demo(
    settings: Settings,
    sessions: sessionmaker[Session],
    options: DemoOptions,
    progress: Progress | None = None,
) -> Kpis:
    clock = SimulatedClock(options.start)
    resolve = strategy_resolver(settings)
    with transaction(sessions) as session:
        accounts = build_portfolio(
            session,
            accounts=options.accounts,
            seed=options.seed,
            today=options.start.date(),
            now=options.start,
        )
        sync_cases(session, now=options.start, resolve_strategy=resolve)
    people = dict(
        zip((a.customer_id for a in accounts), assign_personas(len(accounts), options.seed), strict=True)
    )
    by_customer = {a.customer_id: a for a in accounts}
    zones = _zones(sessions)
    gate = contact_gate(settings)
    worker = Worker(settings, sessions, clock, gate, make_channels(settings), worker_id="demo")
    calls = conversation_service(settings, gate)
    identities = _identities(sessions)
    queue: list[tuple[datetime, int, str, object]] = []
    seen_until = options.start - timedelta(microseconds=1)  # contacts strictly after are new
    total_ticks = int(timedelta(days=options.days) / options.tick)
    sequence = 0
    for tick in range(total_ticks):
        now = options.start + options.tick * tick
        clock.set(now)
        while queue and queue[0][0] <= now:
            at, _, customer_id, reaction = heapq.heappop(queue)
            _emit(sessions, by_customer[customer_id], reaction, at)
        worker.tick()
        for contact in _new_contacts(sessions, seen_until, now):
            person = people.get(contact.customer_id)
            if person is None:
                continue
            balance, currency = _balance(sessions, contact.case_id)
            local_today = contact.at.astimezone(zones.get(contact.customer_id, UTC)).date()
            reactions = person.on_message(contact.channel, contact.at, local_today, balance, currency)
            if contact.channel == "voice":
                reactions = _call(sessions, calls, contact, person, reactions, identities)
            for reaction in reactions:
                sequence += 1
                heapq.heappush(queue, (reaction.at, sequence, contact.customer_id, reaction))
        seen_until = now
        if progress is not None:
            progress(tick + 1, total_ticks)
    end = options.start + timedelta(days=options.days)
    clock.set(end)
    worker.tick()
    with sessions() as session:
        return compute_kpis(session, since=options.start, until=end)


def _zones(sessions: sessionmaker[Session]) -> dict[str, ZoneInfo]:
    with sessions() as session:
        return {
            cid: ZoneInfo(tz) for cid, tz in session.execute(select(Customer.id, Customer.time_zone)) if tz
        }


@dataclass(frozen=True)
class _Contact:
    interaction_id: str
    customer_id: str
    channel: str
    at: datetime
    case_id: str
    destination: str
    outbox_id: str | None


def _new_contacts(sessions: sessionmaker[Session], since: datetime, until: datetime) -> list[_Contact]:
    with sessions() as session:
        rows = session.execute(
            select(
                Interaction.id,
                Interaction.customer_id,
                Interaction.channel,
                Interaction.occurred_at,
                Interaction.case_id,
                Interaction.destination,
                Interaction.outbox_id,
            )
            .outerjoin(OutboxAction, OutboxAction.id == Interaction.outbox_id)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(
                Interaction.direction == "outbound",
                Interaction.status == "sent",
                Interaction.occurred_at > since,
                Interaction.occurred_at <= until,
            )
            # Row ids are random: order by what the seed fixes, so the same seed replays the same story.
            .order_by(
                Interaction.occurred_at, Customer.external_id, OutboxAction.step_id, Interaction.channel
            )
        ).all()
    return [_Contact(r[0], r[1], r[2], r[3], r[4] or "", r[5] or "", r[6]) for r in rows]


def _identities(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str]]:
    """What each simulated person knows about themselves: their name and the answer to the identity check."""
    with sessions() as session:
        rows = session.execute(select(Customer.id, Customer.name, Customer.postal_code)).all()
    return {cid: (name, postal or "") for cid, name, postal in rows}


def _call(
    sessions: sessionmaker[Session],
    service: ConversationService,
    contact: _Contact,
    person: SimulatedCustomer,
    reactions: list[Reaction],
    identities: dict[str, tuple[str, str]],
) -> list[Reaction]:
    """Most people who would have replied pick up instead: their words go to the agent on the call."""
    spoken = [r for r in reactions if r.kind == "message"]
    if person.persona is Persona.IGNORER or person.rng.random() > 0.7:
        return reactions  # no answer: they may still reply later in writing
    name, postal = identities.get(contact.customer_id, ("", ""))
    line = spoken[0].text if spoken else CALL_LINES.get(person.persona, "I can't talk about this now")
    script = CallScript(name=name, identity_answer=postal, main_line=line)
    simulate_call(
        sessions,
        service,
        case_id=contact.case_id,
        call_id=contact.interaction_id,
        destination=contact.destination,
        outbox_id=contact.outbox_id,
        script=script,
        at=contact.at,
    )
    return [r for r in reactions if r.kind != "message"]


def _balance(sessions: sessionmaker[Session], case_id: str) -> tuple[int, str]:
    with sessions() as session:
        row = session.execute(select(Case.balance_minor, Case.currency).where(Case.id == case_id)).one()
    return int(row[0]), str(row[1])


def _emit(sessions: sessionmaker[Session], account: DemoAccount, reaction: object, at: datetime) -> None:
    """A simulated person's act arrives the way a real one would: as an inbox event."""
    assert isinstance(reaction, Reaction)
    with transaction(sessions) as session:
        if reaction.kind == "payment":
            case = session.execute(
                select(Case.balance_minor, Case.currency).where(
                    Case.account_id == account.account_id, Case.status != "closed"
                )
            ).first()
            if case is None or case[0] <= 0:
                return
            amount = min(reaction.amount_minor, int(case[0]))
            external = f"P-{account.account_external_id}-{int(at.timestamp())}"
            payload = {
                "type": "payment.received",
                "source_system": SOURCE,
                "payment_external_id": external,
                "account_external_id": account.account_external_id,
                "currency": case[1],
                "amount": format_minor(amount, case[1]),
                "received_at": at.isoformat(),
                "method": ("card", "bank_transfer")[int(at.timestamp()) % 2],
            }
            kind, source = "payment.received", "demo-billing"
        else:
            external = idempotency_key(account.customer_id, reaction.channel, at.isoformat(), reaction.text)
            payload = {
                "customer_id": account.customer_id,
                "channel": reaction.channel,
                "text": reaction.text,
                "message_id": external,
                "from": "customer",
                "provider": "demo",
            }
            kind, source = "message.received", f"demo-{reaction.channel}"
        session.execute(
            insert(InboxEvent).values(
                id=new_id(),
                source=source,
                external_id=external,
                kind=kind,
                payload=payload,
                status="pending",
                received_at=at,
            )
        )


def fresh_sqlite(url: str) -> None:
    """Remove an existing demo SQLite file so each demo starts from nothing."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
