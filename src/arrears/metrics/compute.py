"""The KPIs managers watch, as one pure function of a portfolio's facts for a period.

No database and no clock: `metrics.facts` loads the facts, `compute_report` turns them into numbers, and
`arrears report`, the demo and the tests all go through it. Money stays per currency (never converted).
A rate whose denominator is zero is None (undefined), never 0. Each rate counts in its numerator only cases
that are in its denominator, so every rate is a true share between 0 and 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from arrears.core.money import format_minor
from arrears.metrics.definitions import DEFINITIONS


class Dimension(StrEnum):
    SEGMENT = "segment"
    SOURCE = "source"
    OWNER = "owner"
    CHANNEL = "channel"
    STRATEGY = "strategy"


#: The breakdown label of a case whose segment, source or owner is not recorded.
UNSET = "(none)"
#: The channel of a right-party outcome that no interaction ties to a channel.
UNKNOWN_CHANNEL = "unknown"


@dataclass(frozen=True, slots=True)
class Period:
    """[since, until): activity at or after `since` and strictly before `until`; pictures at both ends."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("period bounds must be aware datetimes (UTC)")
        if self.since >= self.until:
            raise ValueError(
                f"period since {self.since.isoformat()} is not before until {self.until.isoformat()}"
            )

    @property
    def start_day(self) -> date:
        return self.since.astimezone(UTC).date()

    @property
    def end_day(self) -> date:
        return self.until.astimezone(UTC).date()

    @property
    def elapsed_days(self) -> int:
        """Calendar days between the two pictures (days overdue are counted in UTC calendar days)."""
        return (self.end_day - self.start_day).days


@dataclass(frozen=True, slots=True)
class ChannelActivity:
    """One case on one channel during the period (one entry per channel)."""

    channel: str
    attempts: int = 0  # outbound messages or calls that left
    contacted: bool = False  # the customer wrote, answered or held a conversation on this channel
    right_party: bool = False  # an outcome where the agent verified it spoke with the customer


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A case's overdue picture at one instant, in the case's currency."""

    overdue_minor: int = 0  # unpaid balance of invoices already due
    days_overdue: int = 0  # days past due of the oldest unpaid overdue invoice; 0 when none
    billed_minor: int = 0  # invoiced in the DSO window ending at the instant


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What one case did and owed during the period: the only input the KPIs read."""

    case_id: str
    currency: str
    strategy: str  # "name:version"
    segment: str | None = None
    source: str | None = None
    owner: str | None = None
    channels: tuple[ChannelActivity, ...] = ()
    promises_made: int = 0
    promises_kept: int = 0  # promise rows resolved kept in the period (a plan's instalments one each)
    promises_broken: int = 0
    disputed: bool = False  # a dispute hold placed in the period
    escalated: bool = False  # a task for a person opened in the period
    settled: bool = False  # closed as settled in the period
    recovered_minor: Mapping[str, int] = field(default_factory=dict)
    before: Snapshot = Snapshot()
    after: Snapshot = Snapshot()


@dataclass(frozen=True, slots=True)
class PortfolioFacts:
    period: Period
    cases: tuple[CaseFacts, ...]
    dso_window_days: int = 90


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True, slots=True)
class Kpis:
    """The KPIs of one set of cases; rates derive from the counts (see DEFINITIONS)."""

    cases: int
    attempted: int
    contacted: int
    right_party: int
    promised: int
    promises_kept: int
    promises_broken: int
    disputed: int
    escalated: int
    settled: int
    recovered: dict[str, int]
    overdue_before: dict[str, int]
    overdue_after: dict[str, int]
    mean_days_overdue_before: float | None
    mean_days_overdue_after: float | None
    days_overdue_improvement: float | None
    dso_before: dict[str, float]
    dso_after: dict[str, float]

    @property
    def contact_rate(self) -> float | None:
        return _rate(self.contacted, self.attempted)

    @property
    def right_party_contact_rate(self) -> float | None:
        return _rate(self.right_party, self.attempted)

    @property
    def promise_to_pay_rate(self) -> float | None:
        return _rate(self.promised, self.contacted)

    @property
    def kept_rate(self) -> float | None:
        return _rate(self.promises_kept, self.promises_kept + self.promises_broken)

    @property
    def dispute_escalation_rate(self) -> float | None:
        return _rate(self.disputed, self.contacted)

    @property
    def manual_escalation_rate(self) -> float | None:
        return _rate(self.escalated, self.cases)

    def to_json(self) -> dict[str, Any]:
        """Counts, rates (4 decimals), money as exact decimal strings and as minor units."""
        return {
            "cases": self.cases,
            "attempted": self.attempted,
            "contacted": self.contacted,
            "right_party": self.right_party,
            "promised": self.promised,
            "promises_kept": self.promises_kept,
            "promises_broken": self.promises_broken,
            "disputed": self.disputed,
            "escalated": self.escalated,
            "settled": self.settled,
            **{name: _round(getattr(self, name), 4) for name in RATES},
            "recovered": {cur: format_minor(v, cur) for cur, v in self.recovered.items()},
            "recovered_minor": dict(self.recovered),
            "overdue_before_minor": dict(self.overdue_before),
            "overdue_after_minor": dict(self.overdue_after),
            "mean_days_overdue_before": _round(self.mean_days_overdue_before, 2),
            "mean_days_overdue_after": _round(self.mean_days_overdue_after, 2),
            "days_overdue_improvement": _round(self.days_overdue_improvement, 2),
            "dso_before": {cur: round(v, 1) for cur, v in self.dso_before.items()},
            "dso_after": {cur: round(v, 1) for cur, v in self.dso_after.items()},
        }


RATES = (
    "contact_rate",
    "right_party_contact_rate",
    "promise_to_pay_rate",
    "kept_rate",
    "dispute_escalation_rate",
    "manual_escalation_rate",
)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    dso_window_days: int
    overall: Kpis
    # Per requested dimension, value -> KPIs of the cases with that value, values in sorted order.
    breakdowns: Mapping[Dimension, Mapping[str, Kpis]]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {
                "since": self.period.since.isoformat(),
                "until": self.period.until.isoformat(),
                "days": self.period.elapsed_days,
            },
            "dso_window_days": self.dso_window_days,
            "overall": self.overall.to_json(),
            "by": {
                str(dim): {value: kpis.to_json() for value, kpis in rows.items()}
                for dim, rows in self.breakdowns.items()
            },
            "definitions": DEFINITIONS,
        }


@dataclass(frozen=True, slots=True)
class _Reach:
    """How far outreach got with one case, overall or on one channel."""

    attempted: bool
    contacted: bool
    right_party: bool


def compute_report(facts: PortfolioFacts, by: Iterable[Dimension] = ()) -> Report:
    """The KPIs of the whole portfolio and of each value of each requested dimension (one pass per row)."""
    dimensions = list(dict.fromkeys(by))
    overall = _Tally()
    rows: dict[Dimension, dict[str, _Tally]] = {dim: defaultdict(_Tally) for dim in dimensions}
    elapsed = facts.period.elapsed_days
    for case in facts.cases:
        reach = _overall_reach(case)
        overall.add(case, reach, elapsed)
        for dim in dimensions:
            if dim is Dimension.CHANNEL:
                for ch in case.channels:
                    if ch.attempts > 0:  # a case counts on every channel it was attempted on
                        on_channel = _Reach(True, ch.contacted or ch.right_party, ch.right_party)
                        rows[dim][ch.channel].add(case, on_channel, elapsed)
            else:
                rows[dim][_label(case, dim)].add(case, reach, elapsed)
    window = facts.dso_window_days
    return Report(
        period=facts.period,
        dso_window_days=window,
        overall=overall.kpis(window),
        breakdowns={
            dim: {value: rows[dim][value].kpis(window) for value in sorted(rows[dim])} for dim in dimensions
        },
    )


def _overall_reach(case: CaseFacts) -> _Reach:
    attempted = any(ch.attempts > 0 for ch in case.channels)
    return _Reach(
        attempted=attempted,
        contacted=attempted and any(ch.contacted or ch.right_party for ch in case.channels),
        right_party=attempted and any(ch.right_party for ch in case.channels),
    )


def _label(case: CaseFacts, dimension: Dimension) -> str:
    match dimension:
        case Dimension.SEGMENT:
            value = case.segment
        case Dimension.SOURCE:
            value = case.source
        case Dimension.OWNER:
            value = case.owner
        case _:
            value = case.strategy
    return value or UNSET


class _Tally:
    """Running sums of one report row: each case is added once, so a row costs one pass."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(_COUNTS, 0)
        self.days_before = self.days_after = self.improvement = self.overdue_at_start = 0
        self.recovered: dict[str, int] = defaultdict(int)
        self.owed: tuple[dict[str, int], dict[str, int]] = (defaultdict(int), defaultdict(int))
        self.billed: tuple[dict[str, int], dict[str, int]] = (defaultdict(int), defaultdict(int))

    def add(self, case: CaseFacts, reach: _Reach, elapsed_days: int) -> None:
        counts = self.counts
        counts["cases"] += 1
        counts["attempted"] += reach.attempted
        counts["contacted"] += reach.contacted
        counts["right_party"] += reach.right_party
        if reach.contacted:  # these rates divide by the cases contacted: count only those
            counts["promised"] += case.promises_made > 0
            counts["disputed"] += case.disputed
        counts["promises_kept"] += case.promises_kept
        counts["promises_broken"] += case.promises_broken
        counts["escalated"] += case.escalated
        counts["settled"] += case.settled
        for currency, minor in case.recovered_minor.items():
            self.recovered[currency] += minor
        for index, snapshot in enumerate((case.before, case.after)):
            self.owed[index][case.currency] += snapshot.overdue_minor
            self.billed[index][case.currency] += snapshot.billed_minor
        self.days_before += case.before.days_overdue
        self.days_after += case.after.days_overdue
        if case.before.days_overdue > 0:  # doing nothing, it would have aged by the elapsed days
            self.overdue_at_start += 1
            self.improvement += case.before.days_overdue + elapsed_days - case.after.days_overdue

    def kpis(self, window_days: int) -> Kpis:
        n = self.counts["cases"]
        return Kpis(
            **self.counts,
            recovered={cur: v for cur, v in sorted(self.recovered.items()) if v},
            overdue_before=dict(sorted(self.owed[0].items())),
            overdue_after=dict(sorted(self.owed[1].items())),
            mean_days_overdue_before=self.days_before / n if n else None,
            mean_days_overdue_after=self.days_after / n if n else None,
            days_overdue_improvement=(
                self.improvement / self.overdue_at_start if self.overdue_at_start else None
            ),
            dso_before=_dso(self.owed[0], self.billed[0], window_days),
            dso_after=_dso(self.owed[1], self.billed[1], window_days),
        )


_COUNTS = (
    "cases",
    "attempted",
    "contacted",
    "right_party",
    "promised",
    "promises_kept",
    "promises_broken",
    "disputed",
    "escalated",
    "settled",
)


def _dso(owed: Mapping[str, int], billed: Mapping[str, int], window_days: int) -> dict[str, float]:
    """Overdue receivables / amount billed in the window x window days, per currency with billing."""
    return {cur: owed.get(cur, 0) / billed[cur] * window_days for cur in sorted(billed) if billed[cur]}
