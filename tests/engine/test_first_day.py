"""The first day with real data (issue 9): an aging report imported as the CLI imports it, then the worker.

An export in its own headers and notation, read through a mapping file: 200 good invoice rows for 48
customers, 1 to 120 days past due, business and consumer, on the shipped ladders (and 3 bad rows, reported
by line and column while the rest is stored), with the profiles gate and the minimal one as settings build
them. The first pass must reach each customer at most once, hand nobody to people unwritten to, and record
every step it skipped with the reason; the next day's pass sends the next step, spaced; the hand-off
follows at the ladder's own interval.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.explain import case_decisions
from arrears.engine.planner import Planner
from arrears.ingest import RowError, import_invoices
from arrears.ingest.mapping import load_mapping
from arrears.providers.local.sinks import local_channels
from arrears.settings import Settings
from arrears.store.models import AuditEntry, Case, Interaction
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import contact_gate, strategy_resolver

# A Tuesday, 15:00 UTC: 10:00 in New York, 09:00 in Chicago, inside every contact window.
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
HANDOFF_DAY = {"b2b-ladder": 21, "consumer-overdue": 30}
FIRST_DAY = {"b2b-ladder": 3, "consumer-overdue": 1}
STATES = [("NY", "America/New_York"), ("TX", "America/Chicago"), ("IL", "America/Chicago")]
#: The export's own headers (an accounting system's aging report with contact columns), read through a
#: mapping file as a user would write one: US dates, dollar amounts with thousands separators.
EXPORT = {
    "customer_id": "Customer ID", "customer_name": "Customer", "customer_kind": "Type", "email": "Email",
    "phone": "Mobile", "time_zone": "Time Zone", "state": "State", "account_id": "Account",
    "strategy": "Collection Plan", "invoice_id": "Invoice #", "amount": "Amount", "balance": "Open Balance",
    "issued_on": "Invoice Date", "due_on": "Due Date", "address_line1": "Street", "city": "City",
    "postal_code": "ZIP",
}  # fmt: skip
MAPPING = "\n".join(
    [
        "columns:",
        *(f'  {ours}: "{theirs}"' for ours, theirs in EXPORT.items()),
        "dates: [MM/DD/YYYY]",
        "currency: USD",
        "defaults: {country: US, phone_kind: mobile, email_consent: 'yes', sms_consent: 'yes',"
        " voice_consent: 'yes'}",
    ]
)
#: Rows an export really has wrong: each is reported (line, the export's column) and the rest is stored.
BAD_ROWS = (("Due Date", "02/30/2026"), ("Amount", "$1,25O.00"), ("Invoice Date", "2026-13-01"))
GateName = Literal["profiles", "minimal"]
MESSAGES = ("email", "sms", "voice", "letter", "whatsapp")


def _aging_report(path: Path) -> Path:
    """48 customers, 200 good open invoices (oldest per customer 1..120 days past due) and 3 bad rows."""
    rows: list[dict[str, str]] = []
    for n in range(48):
        business = n % 3 == 0
        state, zone = STATES[n % len(STATES)]
        oldest = 1 + (n * 119) // 47  # 1 .. 120, spread
        for k in range(4 if n < 8 else 5 if n < 24 else 4 if n < 40 else 3):
            due = TODAY - timedelta(days=max(oldest - 9 * k, 0) or 1)
            ours = {
                "customer_id": f"C{n:02}",
                "customer_name": f"Northwind {n} LLC" if business else f"Dana Miller {n}",
                "customer_kind": "business" if business else "person",
                "email": f"ar{n}@example.com",
                "phone": f"+1212555{n:04}",
                "time_zone": zone,
                "state": state,
                "account_id": f"A{n:02}",
                "strategy": "b2b-ladder" if business else "consumer-overdue",
                "invoice_id": f"INV-{n:02}-{k}",
                "amount": "$1,250.00",
                "balance": "$1,250.00",
                "issued_on": f"{due - timedelta(days=30):%m/%d/%Y}",
                "due_on": f"{due:%m/%d/%Y}",
                "address_line1": f"{100 + n} Main Street",
                "city": "Springfield",
                "postal_code": f"{10000 + n}",
            }
            rows.append({EXPORT[key]: value for key, value in ours.items()})
    for index, (column, value) in enumerate(BAD_ROWS):
        rows.insert(10 + 50 * index, {**rows[0], "Invoice #": f"BAD-{index}", column: value})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EXPORT.values()))
        writer.writeheader()
        writer.writerows(rows)
    return path


class _Worker:
    """One worker pass as the worker makes it (plan every due case, then send what may go), with the gate
    and the strategy resolver the composition root builds from settings."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: SimulatedClock, outbox: Path, gate: GateName
    ) -> None:
        settings = Settings(gate=gate)
        library = StrategyLibrary.load(None)
        contact = contact_gate(settings)
        self.resolve = strategy_resolver(library, settings.default_strategy)
        self.planner = Planner(sessions, clock, library, contact)
        self.dispatcher = Dispatcher(
            sessions,
            clock,
            local_channels(outbox),
            contact,
            worker_id="w1",
            spacing_for=lambda name, version: library.strategy(name, version).spacing,
        )

    def tick(self) -> None:
        self.planner.run_until_idle()
        self.dispatcher.run_until_idle()


def _sent_since(session: Session, since: datetime) -> list[tuple[str, str, str]]:
    """(customer, case, channel) of every message that left at or after `since`, notices included."""
    query = select(Interaction.customer_id, Interaction.case_id, Interaction.channel).where(
        Interaction.direction == "outbound",
        Interaction.status == "sent",
        Interaction.occurred_at >= since,
        Interaction.channel.in_(MESSAGES),
    )
    return [(c, k, ch) for c, k, ch in session.execute(query)]


@pytest.mark.parametrize("gate", ["profiles", "minimal"])
def test_first_worker_pass_after_an_aging_report_import_is_humane(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path, gate: GateName
) -> None:
    clock = SimulatedClock(NOW)
    worker = _Worker(sessions, clock, tmp_path / "out", gate)
    errors: list[RowError] = []
    (tmp_path / "aging.yaml").write_text(MAPPING, encoding="utf-8")
    report = import_invoices(
        engine,
        _aging_report(tmp_path / "aging.csv"),
        resolve_strategy=worker.resolve,
        clock=clock,
        on_error=errors.append,
        mapping=load_mapping(str(tmp_path / "aging.yaml")),
    )
    assert report.rows_imported == 200 and report.rows_rejected == len(BAD_ROWS)
    assert sorted((e.record, e.column) for e in errors) == [
        (f"BAD-{index}", column) for index, (column, _) in enumerate(BAD_ROWS)
    ]
    assert [e.line for e in errors] == [12, 62, 112]  # the header is line 1

    worker.tick()

    with sessions() as session:
        cases = {case.id: case for case in session.scalars(select(Case))}
        first = _sent_since(session, NOW)
        skipped = session.execute(
            select(Interaction.case_id, Interaction.detail).where(Interaction.status == "skipped")
        ).all()
        skip_audits = session.scalars(
            select(AuditEntry.data).where(AuditEntry.action == "step_skipped")
        ).all()
    assert len(cases) == 48

    # At most one message per customer on the first pass; every case left open was reached.
    per_customer = Counter(customer for customer, _case, _channel in first)
    assert per_customer and max(per_customer.values()) == 1
    dpd = {case.id: (TODAY - case.oldest_due_on).days for case in cases.values()}
    due = {
        c.customer_id
        for c in cases.values()
        if c.status == "open" and dpd[c.id] >= FIRST_DAY[c.strategy_name]
    }
    assert set(per_customer) == due

    # Nobody goes to people unwritten to: a case past the handoff day gets the ladder's last message first.
    assert not [case.id for case in cases.values() if case.status in ("handed_off", "placed")]
    late = {case.id for case in cases.values() if dpd[case.id] >= HANDOFF_DAY[case.strategy_name]}
    assert late and late <= {case_id for _c, case_id, _ch in first}

    # Every skipped step is recorded with its reason, audited, completed, and shown by explain.
    assert skipped and len(skip_audits) == len(skipped)
    for case_id, detail in skipped:
        why = f"catch-up: case first planned at {dpd[case_id]} days past due; started at day"
        assert detail["why"].startswith(why)
        assert detail["step_id"] in cases[case_id].completed_steps
    some_case = skipped[0][0]
    with sessions() as session:
        explained = case_decisions(session, some_case)
    assert any(
        d.event == "skipped" and d.decision.reasons[0].rule_id == "strategy.catch_up" for d in explained
    )

    # The next day: the next step leaves, spaced: still one message per customer, none on a channel the
    # case used within the last day.
    clock.advance(timedelta(days=1))
    second_start = clock.now()
    worker.tick()
    with sessions() as session:
        second = _sent_since(session, second_start)
    assert second, "nothing followed the first contact"
    assert max(Counter(customer for customer, _case, _channel in second).values()) == 1
    first_channels = {(case_id, channel) for _c, case_id, channel in first}
    # A case that got a message yesterday gets its next step today (the steps of its day one a day).
    assert {case_id for _c, case_id, _ch in second} & {case_id for _c, case_id, _ch in first}
    assert not {(case_id, channel) for _c, case_id, channel in second} & first_channels

    # The hand-off follows at the ladder's own interval after the step a late case started at.
    for _ in range(10):
        clock.advance(timedelta(days=1))
        worker.tick()
    with sessions() as session:
        status = dict(session.execute(select(Case.id, Case.status)).tuples().all())
    assert all(status[case_id] in ("handed_off", "placed", "settled") for case_id in late), status
