"""The daily manager summary from a known history: figures, rendering in en-US and de-DE, sent once a day
per recipient however many workers try, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.providers.local.sinks import EmailFileSink
from arrears.store.models import InboxEvent
from arrears.summary import DailySummary, SummaryConfig, load_summary, render_summary

NY = ZoneInfo("America/New_York")
DAY = date(2026, 11, 30)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY).astimezone(UTC)


def _seed(sessions: sessionmaker[Session]) -> None:
    from arrears.store.models import Account, Case, Customer, Hold, Interaction, Payment, Promise, Task

    before, later = DAY - timedelta(days=3), DAY + timedelta(days=1)
    t0 = at(before, 9)
    ids = {"case_id": "ca1", "customer_id": "cu1"}
    records: list[object] = [
        Customer(id="cu1", source_system="erp", external_id="C-1", name="Ada Lovelace",
                 time_zone="America/New_York", created_at=t0, updated_at=t0),
        Account(id="ac1", customer_id="cu1", source_system="erp", external_id="A-1", created_at=t0),
        Case(id="ca1", account_id="ac1", customer_id="cu1", strategy_name="s", strategy_version=1,
             currency="USD", balance_minor=100_000, opening_balance_minor=112_345, oldest_due_on=before,
             opened_at=t0, updated_at=t0),
        Interaction(id="i1", **ids, channel="sms", direction="outbound", status="sent",
                    occurred_at=at(DAY, 10)),
        Interaction(id="i2", **ids, channel="sms", direction="inbound", status="received",
                    occurred_at=at(DAY, 11)),
        Interaction(id="i3", **ids, channel="email", direction="outbound", status="sent",
                    occurred_at=at(later, 10)),  # the next day: not counted
        Promise(id="p1", case_id="ca1", amount_minor=5_000, currency="USD", due_on=later, channel="sms",
                status="pending", created_at=at(DAY, 11)),
        Promise(id="p2", case_id="ca1", amount_minor=12_345, currency="USD", due_on=DAY, channel="sms",
                status="kept", created_at=t0, resolved_at=at(DAY, 12)),
        Promise(id="p3", case_id="ca1", amount_minor=9_000, currency="USD", due_on=before, channel="sms",
                status="broken", created_at=t0, resolved_at=at(DAY, 1)),
        Payment(id="pay1", account_id="ac1", source_system="erp", external_id="P-1", currency="USD",
                amount_minor=12_345, received_at=at(DAY, 12)),
        Hold(id="h1", customer_id="cu1", case_id="ca1", kind="dispute", created_at=at(DAY, 13)),
        Hold(id="h2", customer_id="cu1", case_id="ca1", kind="hardship", created_at=at(DAY, 14)),
        Hold(id="h3", customer_id="cu1", case_id="ca1", kind="hardship", created_at=at(DAY, 15)),  # same case
        Task(id="t1", case_id="ca1", idempotency_key="t1", reason="dispute", priority=1, due_at=at(later, 9),
             created_at=at(DAY, 13)),
        Task(id="t2", case_id="ca1", idempotency_key="t2", reason="hardship", priority=2, due_at=at(DAY, 9),
             created_at=t0),  # open and overdue at the day's end
        Task(id="t3", case_id="ca1", idempotency_key="t3", reason="review", priority=3, due_at=at(DAY, 9),
             created_at=t0, status="done", closed_at=at(DAY - timedelta(days=1), 9)),  # closed before
    ]  # fmt: skip
    with sessions() as session, session.begin():
        for record in records:
            session.add(record)
            session.flush()


def test_figures_from_a_known_history(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    with sessions() as session:
        s = load_summary(session, DAY, "America/New_York")
    assert (s.contacts_made, s.customers_reached) == (1, 1)
    assert (s.promises_made, s.promises_kept, s.promises_broken) == (1, 1, 1)
    assert s.recovered == {"USD": 12_345}
    assert (s.disputes, s.hardship, s.escalated) == (1, 1, 1)
    assert (s.tasks_opened, s.tasks_open, s.tasks_overdue) == (1, 2, 1)
    (top,) = s.top  # one case, at its most urgent task
    assert (top.case_id, top.reason, top.priority, top.customer, top.overdue) == (
        "ca1",
        "dispute",
        1,
        "Ada Lovelace",
        False,
    )


def test_rendered_in_the_readers_locale_with_nothing_left_unfilled(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    with sessions() as session:
        s = load_summary(session, DAY, "America/New_York")
    us = render_summary(s, "en-US", "Acme")
    de = render_summary(s, "de-DE", "Acme")
    for part in (us.text, us.html, de.text, de.html):
        assert "{{" not in part and "}}" not in part and "{%" not in part
    assert "$123.45" in us.text and "$123.45" in us.html and "$1,000.00" in us.text
    assert "Monday, November 30, 2026" in us.text and "Dec 1, 2026" in us.text
    assert "123,45\xa0$" in de.text and "1.000,00\xa0$" in de.text
    assert "Montag, 30. November 2026" in de.text and "01.12.2026" in de.text
    assert us.subject == "Acme: collections summary for Nov 30, 2026"
    assert "<script" not in render_summary(s, "en-US", "<script>x</script>").html


def _summary(sessions: sessionmaker[Session], clock: SimulatedClock, folder: Path) -> DailySummary:
    config = SummaryConfig(("boss@example.com", "cfo@example.com"), 7, "America/New_York", "en-US", "Acme")
    return DailySummary(sessions, clock, EmailFileSink(folder), config)


def test_sent_once_a_day_across_two_workers(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions)
    clock = SimulatedClock(at(DAY + timedelta(days=1), 6))  # 06:00: before the summary hour
    one, two = _summary(sessions, clock, tmp_path), _summary(sessions, clock, tmp_path)
    assert one.tick() == 0 and two.tick() == 0
    clock.advance(timedelta(hours=2))  # 08:00 local
    counts: list[int] = []
    start = threading.Barrier(2)

    def run(worker: DailySummary) -> None:
        start.wait()
        counts.append(worker.tick())

    threads = [threading.Thread(target=run, args=(w,)) for w in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) in ([0, 2], [1, 1])
    assert one.tick() == 0 and two.tick() == 0 and _summary(sessions, clock, tmp_path).send(DAY) == 0
    sent = sorted(tmp_path.glob("*.eml"))
    assert len(sent) == 2
    parsed = [email.message_from_bytes(p.read_bytes()) for p in sent]
    assert sorted(m["To"] for m in parsed) == ["boss@example.com", "cfo@example.com"]
    assert all("Nov 30, 2026" in m["Subject"] for m in parsed)
    with sessions() as session:
        marks = session.scalar(
            select(func.count()).select_from(InboxEvent).where(InboxEvent.processed_at.is_not(None))
        )
    assert marks == 2
    clock.advance(timedelta(days=1))  # the next day's summary goes too, once
    assert one.tick() == 2 and two.tick() == 0
