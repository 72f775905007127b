"""The loader and the pure function together, on SQLite and PostgreSQL: the values computed by hand from
the portfolio in tests/metrics/portfolio.py (read its docstring beside these numbers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from arrears.metrics.compute import UNSET, Dimension, Period, Snapshot
from arrears.metrics.facts import load_facts
from arrears.metrics.kpis import build_report, compute_kpis
from arrears.store.db import transaction
from tests.metrics.portfolio import SINCE, UNTIL, load_portfolio


@pytest.fixture
def stored(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        load_portfolio(session)
    return sessions


def test_the_loader_gathers_each_case_s_facts_within_the_period(stored: sessionmaker[Session]) -> None:
    with stored() as session:
        facts = {case.case_id: case for case in load_facts(session, Period(SINCE, UNTIL)).cases}
    assert sorted(facts) == ["k1", "k2", "k3", "k6", "k7a", "k7b"]  # k4 closed before, k5 opened at until
    k1, k2, k3, k6 = facts["k1"], facts["k2"], facts["k3"], facts["k6"]
    assert (k1.segment, k1.source, k1.owner, k1.strategy) == ("retail", "billing", "team-a", "ladder:1")
    assert {(c.channel, c.attempts, c.contacted, c.right_party) for c in k1.channels} == {
        ("email", 1, False, False),  # 02-28 is before the period, the failed send is no attempt
        ("sms", 1, True, True),
    }
    assert {(c.channel, c.attempts, c.contacted, c.right_party) for c in k2.channels} == {
        ("email", 1, False, False),
        ("unknown", 0, True, True),  # the right-party outcome no interaction ties to a channel
        ("voice", 1, True, False),  # an answered call is a contact; a null right_party is not verified
    }
    assert [(c.channel, c.attempts) for c in k3.channels] == [("email", 1)]  # the sms at `until` is outside
    assert [(c.channel, c.attempts) for c in k6.channels] == [("sms", 1)]  # the sms at `since` is inside
    assert (k1.promises_made, k1.promises_kept, k1.promises_broken) == (1, 1, 0)
    assert (k2.promises_made, k2.promises_kept, k2.promises_broken) == (1, 0, 1)
    assert (k1.escalated, k2.escalated, k3.escalated) == (False, True, True)  # delivery_unknown is not one
    assert (k2.disputed, k3.disputed) == (True, True)
    assert (k6.settled, facts["k7a"].settled, k1.settled) == (True, True, False)
    assert (k1.recovered_minor, k6.recovered_minor) == ({"USD": 10000}, {"USD": 4000})
    assert facts["k7a"].recovered_minor == {"EUR": 3000} and facts["k7b"].recovered_minor == {}
    # Pictures rebuilt from today's balances and later payments; an account's start goes to its first case,
    # its end to its last.
    assert (k1.before, k1.after) == (Snapshot(10000, 28, 15000), Snapshot(5000, 16, 15000))
    assert (k2.before, k2.after) == (Snapshot(17000, 59, 20000), Snapshot(17000, 89, 0))
    assert (k3.before, k3.after) == (Snapshot(0, 0, 8000), Snapshot(8000, 11, 8000))
    assert (k6.before, k6.after) == (Snapshot(4000, 19, 4000), Snapshot(0, 0, 4000))
    assert (facts["k7a"].before, facts["k7a"].after) == (Snapshot(3000, 28, 5000), Snapshot())
    assert (facts["k7b"].before, facts["k7b"].after) == (Snapshot(), Snapshot(2000, 16, 5000))


def test_report_matches_the_hand_computed_kpis(stored: sessionmaker[Session]) -> None:
    with stored() as session:
        report = build_report(session, since=SINCE, until=UNTIL, by=list(Dimension))
    k = report.overall
    assert (k.cases, k.attempted, k.contacted, k.right_party) == (6, 4, 3, 2)
    assert (k.promised, k.promises_kept, k.promises_broken) == (3, 2, 1)
    assert k.promise_to_pay_rate == 1.0 and k.kept_rate == pytest.approx(2 / 3)
    assert (k.disputed, k.escalated, k.settled) == (1, 2, 2)
    assert k.dispute_escalation_rate == pytest.approx(1 / 3) and k.manual_escalation_rate == pytest.approx(
        2 / 6
    )
    assert k.recovered == {"EUR": 3000, "USD": 14000}
    assert (k.overdue_before, k.overdue_after) == ({"EUR": 3000, "USD": 31000}, {"EUR": 10000, "USD": 22000})
    assert k.mean_days_overdue_before == pytest.approx(134 / 6)
    assert k.mean_days_overdue_after == pytest.approx(132 / 6)
    assert k.days_overdue_improvement == pytest.approx((42 + 0 + 49 + 58) / 4)
    assert k.dso_before == pytest.approx({"EUR": 3000 / 13000 * 90, "USD": 31000 / 39000 * 90})
    assert k.dso_after == pytest.approx({"EUR": 10000 / 13000 * 90, "USD": 22000 / 19000 * 90})
    channel = report.breakdowns[Dimension.CHANNEL]
    assert {v: (r.cases, r.contacted, r.right_party) for v, r in channel.items()} == {
        "email": (3, 0, 0),
        "sms": (2, 2, 1),
        "voice": (1, 1, 0),
    }
    assert channel["sms"].recovered == {"USD": 14000} and channel["email"].contact_rate == 0.0
    segment = report.breakdowns[Dimension.SEGMENT]
    assert {v: (r.cases, r.attempted, r.contacted) for v, r in segment.items()} == {
        "business": (3, 1, 0),
        "retail": (3, 3, 3),
    }
    assert segment["business"].promise_to_pay_rate is None  # nobody reached: undefined, not 0
    assert {v: r.cases for v, r in report.breakdowns[Dimension.OWNER].items()} == {
        UNSET: 1,
        "team-a": 1,
        "team-b": 4,
    }
    assert {v: r.cases for v, r in report.breakdowns[Dimension.STRATEGY].items()} == {
        "b2b:1": 3,
        "ladder:1": 2,
        "ladder:2": 1,
    }
    assert {v: r.cases for v, r in report.breakdowns[Dimension.SOURCE].items()} == {"billing": 3, "erp": 3}


def test_a_narrower_period_sees_only_what_happened_inside_it(stored: sessionmaker[Session]) -> None:
    since, until = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)
    with stored() as session:
        k = compute_kpis(session, since=since, until=until)
    # k1, k2, k6 (closes 03-15) and k7b (opens 03-16); not k7a (closed 03-05) nor k3 (opens 03-21).
    assert k.cases == 4
    assert (k.attempted, k.contacted) == (0, 0)  # every send and reply fell outside
    assert (k.promises_kept, k.promises_broken) == (2, 0)  # k1 03-10, k6 03-15; k2 broke on 03-05
    assert k.recovered == {"USD": 14000}
    assert (k.disputed, k.escalated, k.settled) == (0, 1, 1)  # k2's dispute needs a contact in the period
    # At 03-10 00:00, p1 (03-10 12:00) and p6 (03-15) are still to come; k7b's invoice is not yet due.
    assert k.overdue_before == {"EUR": 0, "USD": 31000}
    assert k.overdue_after == {"EUR": 2000, "USD": 22000}
