"""The replay suite's world: a small portfolio imported by a real `arrears import`, an API key made by a
real `arrears api-key create`, and the ways one input is delivered again (3 times in a row, shuffled among
the others, 10 copies at once over their own connections), with every answer's status kept.

One customer per (family, instance): an input's effects can then be counted on its own customer without
the others' getting in the way.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Barrier
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arrears.core.clock import StartedClock
from arrears.store.base import Base
from arrears.store.models import OutboxAction
from tests.log_scan import SPAWNED_LOGS
from tests.reliability.processes import ARREARS

#: Every table: a repeat stores no input (the inbox is keyed by delivery identity) and changes nothing.
EFFECT_TABLES = tuple(t.name for t in Base.metadata.sorted_tables)
PUBLIC_BASE = "https://arrears.example"
TWILIO_TOKEN = "replay-twilio-auth-token"
OUR_NUMBER = "+15005550006"
Send = Callable[[httpx.Client], httpx.Response]


@dataclass(frozen=True)
class Person:
    """One imported customer with one account, one overdue invoice and a phone and an e-mail address."""

    index: int
    balance: str = "120.00"

    @property
    def customer_id(self) -> str:
        return f"RC{self.index:04d}"

    @property
    def account_id(self) -> str:
        return f"RA{self.index:04d}"

    @property
    def invoice_id(self) -> str:
        return f"RI{self.index:04d}"

    @property
    def phone(self) -> str:
        return f"+1500555{1000 + self.index:04d}"

    @property
    def email(self) -> str:
        return f"replay{self.index}@example.com"


def quiet_place(at: datetime) -> tuple[str, str, str]:
    """(state, zone, postal code) of US customers whose contact window (08-21 local) neither opens nor
    closes within two hours: what the worker plans is then the same all through the test."""
    places = (("NY", "America/New_York", "10001"), ("HI", "Pacific/Honolulu", "96813"))

    def margin(zone: str) -> float:
        local = at.astimezone(ZoneInfo(zone))
        hour = local.hour + local.minute / 60
        return min(abs(hour - edge) % 24 for edge in (8, 21, 32, -3))

    return max(places, key=lambda place: margin(place[1]))


def write_portfolio(path: Path, people: Iterable[Person], at: datetime) -> Path:
    """Our own import columns: US consumers, invoices due two days ago (the first reminder is due)."""
    state, zone, postal_code = quiet_place(at)
    today = at.date()
    columns = (
        "customer_id,customer_name,email,phone,phone_kind,time_zone,country,state,postal_code,account_id,"
        "invoice_id,currency,amount,balance,issued_on,due_on,email_consent,sms_consent,voice_consent"
    ).split(",")
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for p in people:
            due = today - timedelta(days=2)
            who = [p.customer_id, f"Replay Customer {p.index}", p.email, p.phone, "mobile", zone]
            where = ["US", state, postal_code, p.account_id, p.invoice_id, "USD", p.balance, p.balance]
            when = [(due - timedelta(days=30)).isoformat(), due.isoformat()]
            writer.writerow([*who, *where, *when, "yes", "yes", "yes"])
    return path


def create_api_key(env: Mapping[str, str], logs: Path, *scopes: str) -> str:
    """`arrears api-key create`: the key is the command's product (printed once, on stdout, by design) and
    is kept out of the scanned log; everything else the process says goes to a scanned log."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"api-key-{len(list(logs.glob('api-key-*.log'))):03d}.log"
    SPAWNED_LOGS.append(log)
    args = [str(ARREARS), "api-key", "create", "replays"]
    for scope in scopes:
        args += ["--scope", scope]
    with log.open("wb") as err:
        done = subprocess.run(args, env=dict(env), cwd=logs, stdout=subprocess.PIPE, stderr=err, timeout=120)
    assert done.returncode == 0, log.read_text(errors="replace")[-2000:]
    return done.stdout.decode().split()[0]


@dataclass
class Input:
    """One input as its sender delivers it: the same request every time (a retry is byte-identical)."""

    name: str
    send: Send
    ok: frozenset[int]  # the documented answers to this request and to its repeats
    again: Input | None = None  # the same input under a new delivery id (a relay that lost its key)

    def deliver(self, client: httpx.Client, tally: Tally) -> None:
        response = self.send(client)
        tally.note(self, response)


@dataclass
class Tally:
    """Every answer by status, and each one outside the documented set (with the input's name)."""

    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def note(self, item: Input, response: httpx.Response) -> None:
        self.statuses[response.status_code] += 1
        if response.status_code not in item.ok:
            self.unexpected.append(f"{item.name}: {response.status_code} {response.text[:300]}")

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60)


def in_order(base: str, inputs: Sequence[Input], tally: Tally, times: int = 3) -> None:
    """Each input `times` times in a row, one input after the other."""
    with client(base) as http:
        for item in inputs:
            for _ in range(times):
                item.deliver(http, tally)


def shuffled(base: str, inputs: Sequence[Input], tally: Tally, rng: random.Random, times: int = 3) -> None:
    """Every delivery of every input, in one shuffled order: repeats land before and after the others."""
    deliveries = [item for item in inputs for _ in range(times)]
    rng.shuffle(deliveries)
    with client(base) as http:
        for item in deliveries:
            item.deliver(http, tally)


def at_once(base: str, inputs: Sequence[Input], tally: Tally, copies: int = 10, together: int = 3) -> None:
    """Each input as `copies` identical requests released together, each over its own connection;
    `together` inputs' bursts at a time (different inputs overlapping, as real traffic does)."""
    for start in range(0, len(inputs), together):
        burst = [item for item in inputs[start : start + together] for _ in range(copies)]
        barrier = Barrier(len(burst))

        def one(item: Input, barrier: Barrier = barrier) -> httpx.Response:
            with client(base) as http:
                barrier.wait(timeout=60)
                return item.send(http)

        with ThreadPoolExecutor(len(burst)) as pool:
            for item, response in zip(burst, pool.map(one, burst), strict=True):
                tally.note(item, response)


def effects(session: Session) -> dict[str, int]:
    """Rows in every table."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    return {
        name: int(session.scalar(select(func.count()).select_from(tables[name])) or 0)
        for name in EFFECT_TABLES
    }


def changed(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def sends(outbox: Path) -> Counter[str]:
    """The outbox keys of the texts and e-mails the local sinks hold, one count per message that left."""
    found: Counter[str] = Counter()
    for name in ("sms.jsonl", "whatsapp.jsonl"):
        path = outbox / name
        lines = path.read_text().splitlines() if path.exists() else []
        found.update(json.loads(line)["idempotency_key"] for line in lines if line.strip())
    found.update(path.stem for path in (outbox / "email").glob("*.eml"))
    return found


def recorded_sent(session: Session) -> Counter[str]:
    """The outbox keys the database records as sent on those channels."""
    query = select(OutboxAction.idempotency_key).where(
        OutboxAction.status == "sent", OutboxAction.channel.in_(("sms", "whatsapp", "email"))
    )
    return Counter(session.scalars(query))


#: One timeline for the test and every process it starts (ARREARS_CLOCK_START at ARREARS_CLOCK_ANCHOR):
#: 13:00 in New York on a Tuesday when the suite starts, whatever the hour CI runs it, so the customers'
#: contact window is open and the worker's sends are there to be checked.
ANCHOR = datetime.now(UTC)
START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def now() -> datetime:
    return START + (datetime.now(UTC) - ANCHOR)


def timeline() -> StartedClock:
    """The suite's clock, for what the test mints itself (payment and unsubscribe links)."""
    return StartedClock(START, ANCHOR)


def timeline_settings() -> dict[str, str]:
    return {"clock_start": START.isoformat(), "clock_anchor": ANCHOR.isoformat()}
