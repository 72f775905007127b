"""Frequency caps and the quiet period after a conversation, as the earliest instant they permit.

Counting is by local calendar day in every candidate zone (Reg F: "7 consecutive days", conversation day
= day 1), taking the strictest zone. With the k-th most recent counted contact on local day D, the next
contact may go out from local midnight of D + days; so a cap reduces to one lower bound on the send time,
which is what makes "earliest permitted instant" exact rather than a search.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from arrears.compliance.model import PriorContact
from arrears.compliance.schema import CapRule, QuietRule
from arrears.compliance.windows import local_date, midnight

NEVER = datetime.max.replace(tzinfo=UTC)


def counted(cap: CapRule, history: Sequence[PriorContact], debt_id: str) -> list[datetime]:
    """When each past contact that counts against this cap happened (one pass, no per-item calls)."""
    debt = debt_id if cap.per_debt else None
    channels, kinds = cap.count_channels, cap.count_destination_kinds
    failed_ok, consent_exempt = cap.count_failed, cap.direct_consent_exempt
    return [
        c.at
        for c in history
        if not c.consumer_initiated
        and (debt is None or c.debt_id == debt)
        and (channels is None or c.channel in channels)
        and (kinds is None or c.destination_kind in kinds)
        and (failed_ok or not c.failed_to_connect)
        and not (consent_exempt and c.with_direct_consent)
    ]


def local_days(now: datetime, zones: Sequence[str]) -> tuple[date, ...]:
    """Today's local date in each zone, computed once per decision."""
    return tuple(local_date(now, z) for z in zones)


def _window_start(today: Sequence[date], days: int, zones: Sequence[str]) -> datetime:
    """The earliest instant within the last `days` local days ending today, over all zones."""
    back = timedelta(days=days - 1)
    return min(midnight(d - back, z) for d, z in zip(today, zones, strict=True))


def _day_after(instant: datetime, days: int, zones: Sequence[str]) -> datetime:
    """Local midnight `days` calendar days after the instant's local day, the latest over all zones."""
    return max(midnight(local_date(instant, z) + timedelta(days=days), z) for z in zones)


def cap_bound(
    cap: CapRule,
    history: Sequence[PriorContact],
    debt_id: str,
    zones: Sequence[str],
    today: Sequence[date] | datetime,
) -> datetime | None:
    """The earliest instant this cap allows, or None when it allows now already.

    `today` is each zone's local date now, or the instant itself: then the dates are worked out only
    when the history holds enough counted contacts to matter, which on most histories it does not.
    """
    if cap.max_contacts == 0:
        return NEVER
    stamps = counted(cap, history, debt_id)
    if len(stamps) < cap.max_contacts:
        return None
    if isinstance(today, datetime):
        today = local_days(today, zones)
    start = _window_start(today, cap.days, zones)
    if sum(1 for at in stamps if at >= start) < cap.max_contacts:
        return None
    stamps.sort(reverse=True)
    return _day_after(stamps[cap.max_contacts - 1], cap.days, zones)


def quiet_bound(
    rule: QuietRule,
    history: Sequence[PriorContact],
    debt_id: str,
    zones: Sequence[str],
    now: datetime,
) -> datetime | None:
    """The earliest instant after the latest conversation's quiet period, or None when already over."""
    per_debt = rule.per_debt
    talks = [c.at for c in history if c.conversation and (not per_debt or c.debt_id == debt_id)]
    if not talks:
        return None
    bound = _day_after(max(talks), rule.days, zones)
    return bound if bound > now else None
