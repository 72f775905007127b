"""The pure KPI function on a fixed portfolio of eight cases, every number computed by hand below.

Period: March 2026, 30 days. Two segments (retail USD, business EUR), two channels (email, sms), two
strategy versions (ladder:1, ladder:2), three owners (team-a, team-b, none), two sources (billing, api).

case seg      strategy owner  email (att/contact/rp)  sms (att/contact/rp)  promises made/kept/broken
A    retail   ladder:1 team-a 2 / yes / no            1 / no / no           1/1/0, settled, USD 100.00 paid
B    retail   ladder:1 team-a 1 / no / no             2 / yes / yes         1/0/1, task
C    retail   ladder:2 team-b 1 / yes / yes           -                     dispute, task
D    retail   ladder:2 -      -                       -                     task (a silent case handed over)
E    business ladder:1 team-b -                       3 / no / no           EUR 25.00 paid
F    business ladder:2 team-b 1 / yes / no            1 / no / no           2/1/0; right party on a call
                                                                            no interaction ties to a channel
G    business ladder:1 team-a -                       0 / yes (inbound only)  1 promise, dispute, settled,
                                                                            EUR 60.00 paid: never attempted
H    business ladder:2 team-a 2 / no / no             -                     nothing else

Snapshots (overdue, days, billed) before -> after:
A USD 10000,20,10000 -> 0,0,10000     B USD 20000,40,40000 -> 20000,70,0   C USD 5000,10,5000 -> 5000,40,5000
D USD 3000,5,3000 -> 3000,35,3000     E EUR 8000,15,8000 -> 5500,45,8000   F EUR 0,0,0 -> 4000,12,4000
G EUR 6000,30,12000 -> 0,0,12000      H EUR 0,0,0 -> 0,0,0
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from arrears.metrics.compute import (
    UNKNOWN_CHANNEL,
    UNSET,
    CaseFacts,
    ChannelActivity,
    Dimension,
    Kpis,
    Period,
    PortfolioFacts,
    Snapshot,
    compute_report,
)
from arrears.metrics.definitions import DEFINITIONS

PERIOD = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))


def _ch(channel: str, attempts: int, contacted: bool = False, right_party: bool = False) -> ChannelActivity:
    return ChannelActivity(channel, attempts, contacted, right_party)


CASES = (
    CaseFacts(
        "A", "USD", "ladder:1", "retail", "billing", "team-a",
        channels=(_ch("email", 2, contacted=True), _ch("sms", 1)),
        promises_made=1, promises_kept=1, settled=True, recovered_minor={"USD": 10000},
        before=Snapshot(10000, 20, 10000), after=Snapshot(0, 0, 10000),
    ),
    CaseFacts(
        "B", "USD", "ladder:1", "retail", "billing", "team-a",
        channels=(_ch("email", 1), _ch("sms", 2, contacted=True, right_party=True)),
        promises_made=1, promises_broken=1, escalated=True,
        before=Snapshot(20000, 40, 40000), after=Snapshot(20000, 70, 0),
    ),
    CaseFacts(
        "C", "USD", "ladder:2", "retail", "billing", "team-b",
        channels=(_ch("email", 1, contacted=True, right_party=True),),
        disputed=True, escalated=True,
        before=Snapshot(5000, 10, 5000), after=Snapshot(5000, 40, 5000),
    ),
    CaseFacts(
        "D", "USD", "ladder:2", "retail", "api", None,
        escalated=True,
        before=Snapshot(3000, 5, 3000), after=Snapshot(3000, 35, 3000),
    ),
    CaseFacts(
        "E", "EUR", "ladder:1", "business", "billing", "team-b",
        channels=(_ch("sms", 3),), recovered_minor={"EUR": 2500},
        before=Snapshot(8000, 15, 8000), after=Snapshot(5500, 45, 8000),
    ),
    CaseFacts(
        "F", "EUR", "ladder:2", "business", "billing", "team-b",
        channels=(_ch("email", 1, contacted=True), _ch("sms", 1), _ch(UNKNOWN_CHANNEL, 0, right_party=True)),
        promises_made=2, promises_kept=1,
        before=Snapshot(0, 0, 0), after=Snapshot(4000, 12, 4000),
    ),
    CaseFacts(
        "G", "EUR", "ladder:1", "business", "api", "team-a",
        channels=(_ch("sms", 0, contacted=True),),
        promises_made=1, disputed=True, settled=True, recovered_minor={"EUR": 6000},
        before=Snapshot(6000, 30, 12000), after=Snapshot(0, 0, 12000),
    ),
    CaseFacts(
        "H", "EUR", "ladder:2", "business", "billing", "team-a",
        channels=(_ch("email", 2),),
    ),
)  # fmt: skip

FACTS = PortfolioFacts(PERIOD, CASES, dso_window_days=90)
ALL = tuple(Dimension)


def test_overall_kpis_match_the_hand_computation() -> None:
    k = compute_report(FACTS).overall
    # Attempted: all but D (nothing sent) and G (only wrote in). Contacted among them: A, B, C, F.
    assert (k.cases, k.attempted, k.contacted, k.right_party) == (8, 6, 4, 3)
    assert k.contact_rate == pytest.approx(4 / 6)
    assert k.right_party_contact_rate == pytest.approx(3 / 6)  # B, C, and F's channel-less outcome
    assert k.promised == 3 and k.promise_to_pay_rate == pytest.approx(3 / 4)  # A, B, F; not G (unreached)
    assert (k.promises_kept, k.promises_broken) == (2, 1)
    assert k.kept_rate == pytest.approx(2 / 3)
    assert k.disputed == 1 and k.dispute_escalation_rate == pytest.approx(1 / 4)  # C; G was not reached
    assert k.escalated == 3 and k.manual_escalation_rate == pytest.approx(3 / 8)  # B, C and silent D
    assert k.settled == 2
    assert k.recovered == {"EUR": 8500, "USD": 10000}
    assert k.overdue_before == {"EUR": 14000, "USD": 38000}
    assert k.overdue_after == {"EUR": 9500, "USD": 28000}
    assert k.mean_days_overdue_before == pytest.approx(120 / 8)
    assert k.mean_days_overdue_after == pytest.approx(202 / 8)
    # Overdue at start: A, B, C, D, E, G; before + 30 - after = 50, 0, 0, 0, 0, 60.
    assert k.days_overdue_improvement == pytest.approx(110 / 6)
    assert k.dso_before == pytest.approx({"USD": 38000 / 58000 * 90, "EUR": 14000 / 20000 * 90})
    assert k.dso_after == pytest.approx({"USD": 28000 / 18000 * 90, "EUR": 9500 / 24000 * 90})


def test_segment_rows() -> None:
    rows = compute_report(FACTS, [Dimension.SEGMENT]).breakdowns[Dimension.SEGMENT]
    assert list(rows) == ["business", "retail"]
    retail, business = rows["retail"], rows["business"]
    assert (retail.cases, retail.attempted, retail.contacted, retail.right_party) == (4, 3, 3, 2)
    assert (retail.promised, retail.promises_kept, retail.promises_broken) == (2, 1, 1)
    assert (retail.disputed, retail.escalated, retail.settled) == (1, 3, 1)
    assert retail.recovered == {"USD": 10000}
    assert retail.mean_days_overdue_before == pytest.approx(75 / 4)
    assert retail.mean_days_overdue_after == pytest.approx(145 / 4)
    assert retail.days_overdue_improvement == pytest.approx(50 / 4)
    assert retail.dso_after == pytest.approx({"USD": 140.0})
    assert (business.cases, business.attempted, business.contacted, business.right_party) == (4, 3, 1, 1)
    assert business.contact_rate == pytest.approx(1 / 3)
    assert (business.promised, business.promises_kept, business.promises_broken) == (1, 1, 0)
    assert business.kept_rate == 1.0
    assert business.disputed == 0 and business.dispute_escalation_rate == 0.0
    assert business.escalated == 0 and business.manual_escalation_rate == 0.0
    assert business.recovered == {"EUR": 8500}
    assert business.days_overdue_improvement == pytest.approx(60 / 2)  # E 0, G 60
    assert business.dso_before == pytest.approx({"EUR": 63.0})
    assert business.dso_after == pytest.approx({"EUR": 35.625})


def test_channel_rows_count_each_case_on_every_channel_it_was_attempted_on() -> None:
    rows = compute_report(FACTS, [Dimension.CHANNEL]).breakdowns[Dimension.CHANNEL]
    assert list(rows) == ["email", "sms"]  # no row for G's inbound-only sms or F's unknown channel
    email, sms = rows["email"], rows["sms"]
    assert (email.cases, email.attempted, email.contacted, email.right_party) == (5, 5, 3, 1)  # A B C F H
    assert email.promised == 2  # A and F among A, C, F
    assert (email.promises_kept, email.promises_broken, email.disputed, email.escalated) == (2, 1, 1, 2)
    assert email.recovered == {"USD": 10000}
    assert (sms.cases, sms.attempted, sms.contacted, sms.right_party) == (4, 4, 1, 1)  # A B E F; B reached
    assert sms.promise_to_pay_rate == 1.0 and sms.dispute_escalation_rate == 0.0
    assert (sms.promises_kept, sms.promises_broken, sms.escalated, sms.settled) == (2, 1, 1, 1)
    assert sms.recovered == {"EUR": 2500, "USD": 10000}
    overall = compute_report(FACTS).overall
    assert email.cases + sms.cases > overall.attempted, "channel rows overlap, as documented"


def test_strategy_owner_and_source_rows() -> None:
    report = compute_report(FACTS, ALL)
    by = report.breakdowns
    one, two = by[Dimension.STRATEGY]["ladder:1"], by[Dimension.STRATEGY]["ladder:2"]
    assert (one.cases, one.attempted, one.contacted, one.right_party, one.promised) == (4, 3, 2, 1, 2)
    assert (one.settled, one.escalated, one.recovered) == (2, 1, {"EUR": 8500, "USD": 10000})
    assert (two.cases, two.attempted, two.contacted, two.right_party, two.promised) == (4, 3, 2, 2, 1)
    assert (two.disputed, two.escalated, two.settled, two.recovered) == (1, 2, 0, {})
    assert list(by[Dimension.OWNER]) == [UNSET, "team-a", "team-b"]
    nobody = by[Dimension.OWNER][UNSET]  # D alone: never attempted, handed to a person
    assert (nobody.cases, nobody.attempted, nobody.contacted) == (1, 0, 0)
    assert nobody.contact_rate is None and nobody.promise_to_pay_rate is None and nobody.kept_rate is None
    assert nobody.dispute_escalation_rate is None and nobody.manual_escalation_rate == 1.0
    assert nobody.dso_before == pytest.approx({"USD": 90.0})
    assert {v: r.cases for v, r in by[Dimension.SOURCE].items()} == {"api": 2, "billing": 6}
    for dimension in (Dimension.SEGMENT, Dimension.SOURCE, Dimension.OWNER, Dimension.STRATEGY):
        rows = by[dimension].values()
        assert sum(r.cases for r in rows) == report.overall.cases
        assert sum(r.contacted for r in rows) == report.overall.contacted


def test_zero_denominators_are_undefined_not_zero() -> None:
    empty = compute_report(PortfolioFacts(PERIOD, ()), ALL)
    k = empty.overall
    assert k.cases == 0 and all(getattr(k, name) is None for name in _RATES)
    assert (k.mean_days_overdue_before, k.days_overdue_improvement) == (None, None)
    assert (k.recovered, k.dso_before, k.dso_after) == ({}, {}, {})
    assert all(rows == {} for rows in empty.breakdowns.values())
    quiet = compute_report(PortfolioFacts(PERIOD, (CASES[7],))).overall  # H: attempted, nothing else
    assert quiet.contact_rate == 0.0 and quiet.right_party_contact_rate == 0.0
    assert quiet.promise_to_pay_rate is None and quiet.kept_rate is None
    assert quiet.days_overdue_improvement is None and quiet.dso_after == {}


def test_json_rounds_rates_and_writes_money_as_exact_decimals() -> None:
    doc = compute_report(FACTS, [Dimension.CHANNEL, Dimension.CHANNEL]).to_json()
    assert doc["period"] == {
        "since": "2026-03-01T00:00:00+00:00",
        "until": "2026-03-31T00:00:00+00:00",
        "days": 30,
    }
    assert list(doc["by"]) == ["channel"]
    overall = doc["overall"]
    assert overall["contact_rate"] == 0.6667 and overall["kept_rate"] == 0.6667
    assert overall["recovered"] == {"EUR": "85.00", "USD": "100.00"}
    assert overall["recovered_minor"] == {"EUR": 8500, "USD": 10000}
    assert overall["days_overdue_improvement"] == 18.33
    assert overall["dso_after"] == {"EUR": 35.6, "USD": 140.0}
    assert doc["by"]["channel"]["email"]["right_party_contact_rate"] == 0.2
    assert set(doc["definitions"]) == set(DEFINITIONS)


def test_a_period_must_be_aware_and_forward() -> None:
    with pytest.raises(ValueError, match="not before"):
        Period(PERIOD.until, PERIOD.since)
    with pytest.raises(ValueError, match="aware"):
        Period(datetime(2026, 3, 1), datetime(2026, 3, 2))
    assert replace(PERIOD, until=datetime(2026, 3, 2, 23, tzinfo=UTC)).elapsed_days == 1


_RATES = [name for name in dir(Kpis) if name.endswith("_rate")]
