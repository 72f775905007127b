"""What the exactly-once tests share: a US portfolio under the full Reg F gate, channel wrappers that inject
faults around the real local sinks, and readers that count what actually landed in the sinks."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import Channel, DeliveryResult, OutboundMessage
from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import ContactGate
from arrears.core.clock import Clock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.planner import Planner
from arrears.settings import Settings
from arrears.store.models import Interaction, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.schema import RetrySettings
from arrears.system.parts import disclosure_texts
from tests.engine.portfolio import add_debtor, open_cases

#: 11:00 in New York on a Tuesday: the 08-21 window is open for every customer of `seed_us`.
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NOTICE = "validation-notice"
SETTINGS = Settings(agent_business_name="Acme Recovery")
LIBRARY = StrategyLibrary.load(None)


def full_gate() -> ContactGate:
    """The third-party collector's profile: every Reg F rule, so a first contact owes a validation notice."""
    return ProfileGate.from_files("third_party")


def seed_us(sessions: sessionmaker[Session], now: datetime, count: int, *, sms_every: int = 0) -> None:
    """`count` New York consumers with their own e-mail and mobile; 2 days overdue (one e-mail is due), or
    4 days for every `sms_every`-th (an e-mail and a text)."""
    with sessions.begin() as session:
        for i in range(count):
            days = 4 if sms_every and i % sms_every == 0 else 2
            add_debtor(
                session,
                now=now,
                due_on=now.date() - timedelta(days=days),
                email=f"debtor{i}@example.com",
                mobile=f"+1212555{i:04d}",
            )
    open_cases(sessions, now)


def plan(sessions: sessionmaker[Session], clock: Clock, gate: ContactGate) -> None:
    Planner(sessions, clock, LIBRARY, gate).run_until_idle()


def make_dispatcher(
    sessions: sessionmaker[Session],
    clock: Clock,
    channels: Mapping[str, Channel],
    gate: ContactGate,
    worker_id: str,
    *,
    lease_seconds: int = 60,
    retry: RetrySettings | None = None,
    batch_size: int = 100,
) -> Dispatcher:
    library = LIBRARY
    return Dispatcher(
        sessions,
        clock,
        channels,
        gate,
        worker_id=worker_id,
        lease_seconds=lease_seconds,
        batch_size=batch_size,
        disclosures_for=disclosure_texts(gate, SETTINGS),
        retry_for=(lambda _n, _v: retry) if retry else (lambda n, v: library.strategy(n, v).retry),
    )


Hook = Callable[[OutboundMessage], None]


class Hooked:
    """A real sink with a fault hook before its send (the provider has not got it yet) and after it (the
    provider accepted it; our record has not been written), and an optional scripted lookup answer."""

    def __init__(
        self,
        inner: Channel,
        *,
        before: Hook | None = None,
        after: Hook | None = None,
        lookup: Callable[[str], DeliveryResult | None] | None = None,
    ) -> None:
        self.name = inner.name
        self.inner = inner
        self.before = before
        self.after = after
        self.answer = lookup
        self.sent: list[str] = []
        self.lookups: list[str] = []

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if self.before is not None:
            self.before(message)
        result = self.inner.send(message)
        self.sent.append(message.idempotency_key)
        if self.after is not None:
            self.after(message)
        return result

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        self.lookups.append(idempotency_key)
        if self.answer is not None:
            return self.answer(idempotency_key)
        return self.inner.lookup(idempotency_key)


def hooked(channels: Mapping[str, Channel], **hooks: object) -> dict[str, Hooked]:
    return {name: Hooked(channel, **hooks) for name, channel in channels.items()}  # type: ignore[arg-type]


class Slow:
    """A provider with latency: sleeps half before accepting the message and half after."""

    def __init__(self, inner: Channel, seconds: float) -> None:
        self.name = inner.name
        self.inner = inner
        self.seconds = seconds

    def send(self, message: OutboundMessage) -> DeliveryResult:
        time.sleep(self.seconds / 2)
        result = self.inner.send(message)
        time.sleep(self.seconds / 2)
        return result

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        return self.inner.lookup(idempotency_key)


def sink_keys(outbox: Path) -> Counter[str]:
    """Every message in the local sinks, by idempotency key (a second send of a key counts twice)."""
    keys: Counter[str] = Counter()
    email = outbox / "email"
    if email.exists():
        keys.update(p.name.split(".")[0] for p in email.glob("*.eml"))
    for name in ("sms", "whatsapp", "voice", "letter"):
        path = outbox / f"{name}.jsonl"
        if path.exists():
            keys.update(json.loads(line)["idempotency_key"] for line in path.read_text().splitlines() if line)
    return keys


def sink_contacts(outbox: Path, sessions: sessionmaker[Session]) -> Counter[tuple[str, str, str]]:
    """What landed in the sinks as (destination, step, channel), comparable between two databases."""
    keys = sink_keys(outbox)
    with sessions() as session:
        rows = session.execute(
            select(
                OutboxAction.idempotency_key,
                OutboxAction.destination,
                OutboxAction.step_id,
                OutboxAction.channel,
            )
        ).all()
    known = {key: (str(dest), step, channel) for key, dest, step, channel in rows}
    found: Counter[tuple[str, str, str]] = Counter()
    for key, n in keys.items():
        found[known.get(key, ("not in the outbox", key, "?"))] += n
    return found


def sent_interactions(sessions: sessionmaker[Session]) -> Counter[str]:
    """'sent' interactions per outbox row: a second record of one send would count as a second contact."""
    with sessions() as session:
        rows = session.scalars(select(Interaction.outbox_id).where(Interaction.status == "sent")).all()
    return Counter(str(r) for r in rows)


def statuses(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(OutboxAction.status)).all())


def process_state(pid: int) -> str:
    """The process state letter from /proc (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
