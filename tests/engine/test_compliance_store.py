"""Do-not-contact lists, designated times and places, recorded deferrals and `explain`, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.casefacts.contact import Destination, gate_request
from arrears.casefacts.load import load_case_facts
from arrears.cli.main import app
from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import DestinationKind, InconvenientTime, Verdict
from arrears.compliance.profiles import TenantSettings
from arrears.core.clock import SimulatedClock
from arrears.engine.compliance_lists import (
    DesignationError,
    designate_place,
    designate_time,
    import_do_not_contact,
    revoke_designation,
)
from arrears.engine.dispatcher import Dispatcher
from arrears.engine.explain import case_decisions
from arrears.engine.planner import Planner
from arrears.providers.local.sinks import local_channels
from arrears.store.models import Case, Customer, DoNotContact, Interaction, OutboxAction
from arrears.strategy.catalog import StrategyLibrary
from tests.engine.portfolio import add_debtor, open_cases

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York (EDT)
NIGHT = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 00:00 in New York
LIST_FILE = "destination,note\n+1 (212) 555-0123,asked us to stop\nDebtor@Example.com\n# comment\n\n"


def _one_case(sessions: sessionmaker[Session], now: datetime) -> tuple[str, str]:
    with sessions.begin() as session:
        add_debtor(session, now=now, due_on=now.date() - timedelta(days=5))
    open_cases(sessions, now)
    with sessions() as session:
        case_id, customer_id = session.execute(select(Case.id, Case.customer_id)).one()
    return case_id, customer_id


def _gate() -> ProfileGate:
    return ProfileGate(tenant=TenantSettings(collector_kind="creditor"))


def test_list_import_is_idempotent_and_reaches_the_gate(sessions: sessionmaker[Session]) -> None:
    case_id, _ = _one_case(sessions, START)
    with sessions.begin() as session:
        first = import_do_not_contact(session, LIST_FILE, "tenant", START)
    with sessions.begin() as session:
        again = import_do_not_contact(session, LIST_FILE, "tenant", START)
    assert (first.read, first.added, first.on_list) == (2, 2, 2)
    assert (again.added, again.on_list) == (0, 2)
    with sessions() as session:
        stored = set(session.scalars(select(DoNotContact.destination)))
        assert stored == {"+12125550123", "debtor@example.com"}
        facts = load_case_facts(session, [case_id], START)[case_id]
    assert {e.destination for e in facts.do_not_contact} == stored
    sms = gate_request(facts, "sms", Destination("+12125550123", DestinationKind.MOBILE), START)
    decision = _gate().decide(sms)
    assert decision.verdict is Verdict.DENY
    assert "arrears.do_not_contact" in {r.rule_id for r in decision.reasons}


def test_list_for_one_channel_only_bars_that_channel(sessions: sessionmaker[Session]) -> None:
    case_id, _ = _one_case(sessions, START)
    with sessions.begin() as session:
        import_do_not_contact(session, "+12125550123\n", "registry", START, channel="voice")
    with sessions() as session:
        facts = load_case_facts(session, [case_id], START)[case_id]
    mobile = Destination("+12125550123", DestinationKind.MOBILE)
    assert _gate().decide(gate_request(facts, "sms", mobile, START)).allowed
    assert not _gate().decide(gate_request(facts, "voice", mobile, START)).allowed


def test_designated_time_defers_and_revoking_lifts_it(sessions: sessionmaker[Session]) -> None:
    case_id, customer_id = _one_case(sessions, START)
    with sessions.begin() as session:
        made = designate_time(session, customer_id, "10:00", "12:00", START, weekdays=(1,))  # Tuesdays
    with sessions() as session:
        facts = load_case_facts(session, [case_id], START)[case_id]
    assert facts.inconvenient_times == [InconvenientTime(time(10), time(12), (1,), None)]
    sms = gate_request(facts, "sms", Destination("+12125550123", DestinationKind.MOBILE), START)
    decision = _gate().decide(sms)
    assert decision.verdict is Verdict.DEFER
    assert decision.not_before == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 12:00 New York
    with sessions.begin() as session:
        assert revoke_designation(session, made, START)
        assert not revoke_designation(session, made, START)
    with sessions() as session:
        assert load_case_facts(session, [case_id], START)[case_id].inconvenient_times == []


def test_designated_place_refuses_that_destination(sessions: sessionmaker[Session]) -> None:
    case_id, customer_id = _one_case(sessions, START)
    with sessions.begin() as session:
        designate_place(session, customer_id, START, destination="+1 212 555 0123")
    with sessions() as session:
        facts = load_case_facts(session, [case_id], START)[case_id]
    sms = gate_request(facts, "sms", Destination("+12125550123", DestinationKind.MOBILE), START)
    decision = _gate().decide(sms)
    assert decision.verdict is Verdict.DENY
    assert "us.regf.place" in {r.rule_id for r in decision.reasons}


@pytest.mark.parametrize(
    ("start", "end", "days"), [("24:00", "08:00", ()), ("9:00", "10:00", ()), ("10:00", "10:00", ())]
)
def test_bad_designations_are_refused_before_they_are_stored(
    sessions: sessionmaker[Session], start: str, end: str, days: tuple[int, ...]
) -> None:
    _, customer_id = _one_case(sessions, START)
    with pytest.raises(DesignationError), sessions.begin() as session:
        designate_time(session, customer_id, start, end, START, weekdays=days)


def _planner(sessions: sessionmaker[Session], clock: SimulatedClock) -> Planner:
    return Planner(sessions, clock, StrategyLibrary.load(None), _gate(), batch_size=50)


def test_a_deferral_is_recorded_once_per_step_and_explained(sessions: sessionmaker[Session]) -> None:
    case_id, _ = _one_case(sessions, NIGHT)
    clock = SimulatedClock(NIGHT)
    planner = _planner(sessions, clock)
    assert planner.run_until_idle().deferred == 1
    for _ in range(2):  # planned again before the window opens: the same deferral, no new row
        with sessions.begin() as session:
            session.execute(update(Case).values(next_action_at=NIGHT))
        assert planner.run_until_idle().deferred == 1
    with sessions() as session:
        deferred = session.scalars(select(Interaction).where(Interaction.status == "deferred")).all()
        assert len(deferred) == 1
        assert deferred[0].decision is not None and deferred[0].decision["verdict"] == "defer"
        opening = session.scalar(select(Case.next_action_at))
    assert opening == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    clock.set(opening)
    assert planner.run_until_idle().actions >= 1
    with sessions() as session:
        events = [d.event for d in case_decisions(session, case_id)]
    # First planned 5 days past due: the day-1 e-mail was skipped (catch-up), the day-3 text deferred.
    assert events[:2] == ["skipped", "deferred"] and "planned" in events


def test_explain_prints_rules_zones_and_inputs(sessions: sessionmaker[Session], database_url: str) -> None:
    case_id, _ = _one_case(sessions, NIGHT)
    clock = SimulatedClock(NIGHT)
    planner = _planner(sessions, clock)
    planner.run_until_idle()
    clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    planner.run_until_idle()
    result = CliRunner().invoke(app, ["compliance", "explain", case_id, "--database", database_url])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "deferred:" in out and "planned:" in out
    assert "us.regf.inconvenient_time" in out and "12 CFR 1006.6(b)(1)(i)" in out
    assert "America/New_York" in out
    assert "address US/NY/10001: America/New_York" in out and "phone +12125550123" in out
    missing = CliRunner().invoke(app, ["compliance", "explain", "nope", "--database", database_url])
    assert missing.exit_code == 2


def test_cli_imports_lists_and_records_designations(
    sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    _, customer_id = _one_case(sessions, START)
    with sessions() as session:
        external = session.scalar(select(Customer.external_id))
    listing = tmp_path / "dnc.csv"
    listing.write_text(LIST_FILE, encoding="utf-8")
    runner = CliRunner()
    args = ["--database", database_url]
    imported = runner.invoke(app, ["compliance", "dnc", "import", str(listing), "--source", "x", *args])
    assert imported.exit_code == 0 and "2 new on list 'x'" in imported.output
    timed = runner.invoke(
        app, ["compliance", "designate-time", str(external), "--start", "22:00", "--end", "09:00", *args]
    )
    assert timed.exit_code == 0, timed.output
    placed = runner.invoke(app, ["compliance", "designate-place", customer_id, "--kind", "work_phone", *args])
    assert placed.exit_code == 0, placed.output
    bad = runner.invoke(
        app, ["compliance", "designate-time", customer_id, "--start", "25:00", "--end", "1", *args]
    )
    assert bad.exit_code == 2
    with sessions() as session:
        facts = load_case_facts(session, list(session.scalars(select(Case.id))), START)
    (only,) = facts.values()
    assert len(only.inconvenient_times) == 1 and len(only.inconvenient_places) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DoNotContact)) == 2


def test_dispatch_counts_its_own_sends_against_weekly_caps(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Two rows planned in different passes, one batch: WA's 3 a week lets exactly one of them go."""
    with sessions.begin() as session:
        add_debtor(
            session, now=START, due_on=START.date() - timedelta(days=5), state="WA",
            time_zone="America/Los_Angeles", mobile="+12065550123",
        )  # fmt: skip
    open_cases(sessions, START)
    with sessions.begin() as session:
        case_id, customer_id = session.execute(select(Case.id, Case.customer_id)).one()
        for days_ago in (1, 2):  # two contacts already this week
            session.add(
                Interaction(
                    case_id=case_id, customer_id=customer_id, channel="email", direction="outbound",
                    destination="debtor@example.com", destination_kind="personal_email", status="sent",
                    occurred_at=START - timedelta(days=days_ago), detail={},
                )
            )  # fmt: skip
        for n, channel in enumerate(("email", "letter")):
            session.add(
                OutboxAction(
                    idempotency_key=f"k{n}", case_id=case_id, customer_id=customer_id, kind="contact",
                    step_id=f"s{n}", channel=channel, destination="debtor@example.com" if n == 0 else "x",
                    destination_kind="personal_email" if n == 0 else "postal", template="consumer/reminder",
                    payload={"tone": "neutral"}, status="pending", not_before=START, attempts=0,
                    created_at=START - timedelta(hours=n + 1),
                )
            )  # fmt: skip
    seattle_noon = START + timedelta(hours=5)  # 13:00 in Seattle
    gate = ProfileGate(tenant=TenantSettings(collector_kind="third_party"))
    clock = SimulatedClock(seattle_noon)
    dispatcher = Dispatcher(sessions, clock, local_channels(tmp_path), gate, worker_id="t1")
    assert dispatcher.run_until_idle().sent == 1
    with sessions() as session:
        waiting = session.scalars(select(OutboxAction.step_id).where(OutboxAction.status == "pending")).all()
        deferred = session.scalars(select(Interaction).where(Interaction.status == "deferred")).all()
    assert {"s0", "s1"} & set(waiting)  # the other one waits for the week to pass
    assert any("us.wa.frequency" in str((d.decision or {}).get("reasons")) for d in deferred)
