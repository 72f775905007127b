"""Synthetic portfolio for the planning benchmark, bulk-loaded straight into the tables.

The planner reads customers, contact points, consents, opt-outs, holds, recent interactions, accounts and
cases, so those are what is loaded (no invoices: planning never reads them). Every case is in a steady
state: the ladder steps before its day are already completed, so a due case owes exactly today's step(s),
as it would on any ordinary morning. Three kinds of case are interleaved through the table so that neither
set sits in one physical block: `due` (next action at or before NOW), `floor` (identical to due cases but
parked a year ahead, for the database-only floor), and `idle` (next action in the coming 20 days).
`snapshot_and_analyze` and `reset` let one loaded database be measured more than once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from arrears.store.db import make_engine
from arrears.strategy.calendar import day_start
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.schema import Conditions

#: 16:00 UTC on a Sunday in November: morning in the Americas, afternoon in Europe, night in Sydney/Hawaii.
NOW = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
#: Floor cases wait here, far beyond any idle case, so only the floor query selects them.
FLOOR_AT = NOW + timedelta(days=400)
CREATED = NOW - timedelta(days=90)
SNAPSHOT = "bench_cases_orig"

# zone, country, state, currency, weight (percent): mostly inside 08:00-21:00 at NOW; ~6% outside (deferred)
ZONES: list[tuple[str, str, str | None, str, int]] = [
    ("America/New_York", "US", "NY", "USD", 22),
    ("America/Chicago", "US", "IL", "USD", 14),
    ("America/Denver", "US", "CO", "USD", 5),
    ("America/Los_Angeles", "US", "CA", "USD", 12),
    ("America/Phoenix", "US", "AZ", "USD", 2),
    ("America/Toronto", "CA", "ON", "CAD", 5),
    ("America/Mexico_City", "MX", None, "MXN", 4),
    ("America/Sao_Paulo", "BR", None, "BRL", 4),
    ("Europe/London", "GB", None, "GBP", 12),
    ("Europe/Berlin", "DE", None, "EUR", 7),
    ("Europe/Madrid", "ES", None, "EUR", 5),
    ("Asia/Kolkata", "IN", None, "INR", 2),  # 21:30: just closed, deferred to the morning
    ("Pacific/Honolulu", "US", "HI", "USD", 2),  # 06:00: deferred
    ("Australia/Sydney", "AU", None, "AUD", 4),  # 03:00: deferred
]
TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("id", "source_system", "external_id", "kind", "name", "time_zone", "locale", "segment",
                  "tier", "owner", "country", "state", "city", "postal_code", "created_at", "updated_at"),
    "contact_points": ("id", "customer_id", "channel", "value", "kind", "is_primary", "created_at"),
    "consents": ("id", "customer_id", "channel", "destination", "source", "granted_at", "revoked_at",
                 "revoked_source"),
    "opt_outs": ("id", "customer_id", "channel", "destination", "reason", "source", "at"),
    "accounts": ("id", "customer_id", "source_system", "external_id", "agency_placement_allowed", "strategy",
                 "created_at"),
    "cases": ("id", "account_id", "customer_id", "status", "stage", "strategy_name", "strategy_version",
              "currency", "balance_minor", "opening_balance_minor", "oldest_due_on", "broken_promises",
              "completed_steps", "next_action_at", "opened_at", "closed_at", "close_reason",
              "recovered_minor", "updated_at"),
    "holds": ("id", "customer_id", "case_id", "kind", "scope", "channel", "reason", "created_at", "until",
              "released_at"),
    "interactions": ("id", "case_id", "customer_id", "outbox_id", "channel", "direction", "destination",
                     "destination_kind", "provider", "provider_id", "status", "connected", "conversation",
                     "planned_at", "occurred_at", "decision", "transcript_redacted", "detail"),
}  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """Where a case stands on its ladder: today is `day` days past due, earlier steps are done."""

    strategy: str
    day: int
    completed_json: str
    stage: str


# (strategy, day, weight): mostly contact steps; a few day-30/21 handoffs that open tasks instead.
_MIX = {
    "consumer-overdue": [(1, 25), (3, 20), (7, 15), (10, 15), (14, 10), (21, 10), (30, 5)],
    "b2b-ladder": [(3, 35), (7, 35), (14, 20), (21, 10)],
}


def variants(library: StrategyLibrary) -> dict[str, list[Variant]]:
    """Per strategy, 100 slots weighted by _MIX, so a case picks its variant with one randrange."""
    out: dict[str, list[Variant]] = {}
    for name, mix in _MIX.items():
        strategy = library.get(name).strategy
        slots: list[Variant] = []
        for day, weight in mix:
            done = [
                s.id
                for s in strategy.ordered_steps
                if s.day < day and s.stage is None and s.conditions == Conditions()
            ]
            stage = "late" if len(done) >= 3 else "early"
            slots += [Variant(name, day, json.dumps(done), stage)] * weight
        out[name] = slots
    return out


def role(n: int, cases: int, due: int) -> str:
    """Spreads 2*due marked slots evenly over the table, alternating due and floor."""
    mark = (n * 2 * due) // cases
    if mark == ((n + 1) * 2 * due) // cases:
        return "idle"
    return "due" if mark % 2 == 0 else "floor"


@lru_cache(maxsize=4096)
def _due_at(zone: str, day: int) -> tuple[date, datetime]:
    """The oldest due date that puts a case on `day` today in `zone`, and when that step became due."""
    tz = ZoneInfo(zone)
    oldest = NOW.astimezone(tz).date() - timedelta(days=day)
    return oldest, day_start(oldest, day, tz)


def generate(
    cases: int,
    due: int,
    library: StrategyLibrary,
    ts: Callable[[datetime], Any],
    *,
    chunk: int,
    seed: int = 7,
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Yields table -> rows per chunk of cases; `ts` renders instants the way the target database wants."""
    rng = random.Random(seed)
    slots = variants(library)
    zone_slots = [z for z in ZONES for _ in range(z[4])]
    created, granted = ts(CREATED), ts(CREATED - timedelta(days=300))

    def new_id() -> str:
        return f"{rng.getrandbits(128):032x}"

    for start in range(0, cases, chunk):
        rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        for n in range(start, min(cases, start + chunk)):
            kind = role(n, cases, due)
            zone, country, state, currency, _w = zone_slots[rng.randrange(len(zone_slots))]
            business = rng.random() < 0.2
            variant = slots["b2b-ladder" if business else "consumer-overdue"][rng.randrange(100)]
            cid, aid, case_id = new_id(), new_id(), new_id()
            email, phone = f"c{n}@example.test", f"+1555{n:07d}"
            rows["customers"].append(
                (cid, "bench", f"c{n}", "business" if business else "person", f"Customer {n}", zone, "en-US",
                 f"seg{n % 6}", "gold" if n % 10 == 0 else "standard", None, country, state, "Springfield",
                 f"{10000 + n % 89999}", created, created)
            )  # fmt: skip
            rows["contact_points"] += [
                (new_id(), cid, "email", email, "work" if business else "personal", True, created),
                (new_id(), cid, "phone", phone, "mobile", True, created),
            ]
            rows["consents"] += [
                (new_id(), cid, channel, phone, "application", granted, None, None)
                for channel in ("sms", "voice")
            ]
            rows["accounts"].append((aid, cid, "bench", f"a{n}", False, variant.strategy, created))
            oldest, due_at = _due_at(zone, variant.day)
            if kind == "due":
                wake = due_at
            elif kind == "floor":
                wake = FLOOR_AT - (NOW - due_at)
            else:
                wake = NOW + timedelta(hours=rng.randint(1, 20 * 24))
            balance = rng.randint(5_000, 400_000)
            rows["cases"].append(
                (case_id, aid, cid, "open", variant.stage, variant.strategy, 1, currency, balance, balance,
                 oldest, 0, variant.completed_json, ts(wake), created, None, None, 0, created)
            )  # fmt: skip
            if kind == "idle":
                continue
            roll = rng.random()
            if roll < 0.01:
                rows["opt_outs"].append((new_id(), cid, "sms", None, "opt_out", "bench", created))
            elif roll < 0.015:
                rows["holds"].append(
                    (new_id(), cid, case_id, "dispute", "case", None, "bench", created, None, None)
                )
            if variant.completed_json != "[]":
                at = ts(NOW - timedelta(days=2, hours=n % 24))
                rows["interactions"].append(
                    (new_id(), case_id, cid, None, "email", "outbound", email, "personal_email", "local",
                     None, "sent", False, False, at, at, None, None, "{}")
                )  # fmt: skip
        yield rows


def snapshot_and_analyze(url: str) -> None:
    """Keep the starting state of the due and floor cases so `--reuse` can put it back."""
    engine = make_engine(url)
    params = {"now": _bind(url, NOW), "floor": _bind(url, FLOOR_AT - timedelta(days=2))}
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {SNAPSHOT}"))
        conn.execute(
            text(
                f"CREATE TABLE {SNAPSHOT} AS SELECT id, status, stage, completed_steps, next_action_at, "
                "broken_promises, updated_at FROM cases "
                "WHERE next_action_at <= :now OR next_action_at >= :floor"
            ),
            params,
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


def reset(url: str) -> None:
    """Undo one measured run: drop what it wrote, restore the snapshot of the cases it moved."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox_actions"))
        conn.execute(text("DELETE FROM tasks"))
        conn.execute(text("DELETE FROM interactions WHERE status IN ('refused', 'deferred')"))
        # The planner publishes stage changes and opened tasks on the feed; the loaded data has none, so each
        # measured run starts from an empty feed. (The audit log is append-only: its rows stay, as before.)
        conn.execute(text("DELETE FROM domain_events"))
        conn.execute(
            text(
                "UPDATE cases SET status = o.status, stage = o.stage, completed_steps = o.completed_steps, "
                "next_action_at = o.next_action_at, broken_promises = o.broken_promises, "
                f"updated_at = o.updated_at FROM {SNAPSHOT} AS o WHERE cases.id = o.id"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


def _bind(url: str, instant: datetime) -> Any:
    return (
        instant if url.startswith("postgresql") else instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    )
