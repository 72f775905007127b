"""Frequency caps and the quiet period after a conversation, as the earliest instant they permit.

Counting is by local calendar day in every candidate zone (Reg F: "7 consecutive days", conversation day
= day 1), taking the strictest zone. With the k-th most recent counted contact on local day D, the next
contact may go out from local midnight of D + days; so a cap reduces to one lower bound on the send time,
which is what makes "earliest permitted instant" exact rather than a search.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from arrears.compliance.model import ContactProposal, PriorContact
from arrears.compliance.schema import CapRule, QuietRule
from arrears.compliance.windows import local_date, midnight

NEVER = datetime.max.replace(tzinfo=UTC)


def counts(cap: CapRule, contact: PriorContact, proposal: ContactProposal) -> bool:
    """Whether a past contact counts against this cap for the proposed contact."""
    if contact.consumer_initiated:
        return False
    if cap.per_debt and contact.debt_id != proposal.debt_id:
        return False
    if cap.count_channels is not None and contact.channel not in cap.count_channels:
        return False
    if (
        cap.count_destination_kinds is not None
        and contact.destination_kind not in cap.count_destination_kinds
    ):
        return False
    if contact.failed_to_connect and not cap.count_failed:
        return False
    return not (contact.with_direct_consent and cap.direct_consent_exempt)


def _window_start(now: datetime, days: int, zones: Sequence[str]) -> datetime:
    """The earliest instant that falls within the last `days` local days ending today, over all zones."""
    return min(midnight(local_date(now, z) - timedelta(days=days - 1), z) for z in zones)


def _day_after(instant: datetime, days: int, zones: Sequence[str]) -> datetime:
    """Local midnight `days` calendar days after the instant's local day, the latest over all zones."""
    return max(midnight(local_date(instant, z) + timedelta(days=days), z) for z in zones)


def cap_bound(
    cap: CapRule,
    history: Sequence[PriorContact],
    proposal: ContactProposal,
    zones: Sequence[str],
    now: datetime,
) -> datetime | None:
    """The earliest instant this cap allows, or None when it allows `now` already."""
    if cap.max_contacts == 0:
        return NEVER
    stamps = [c.at for c in history if counts(cap, c, proposal)]
    if len(stamps) < cap.max_contacts:
        return None
    start = _window_start(now, cap.days, zones)
    if sum(1 for at in stamps if at >= start) < cap.max_contacts:
        return None
    stamps.sort(reverse=True)
    return _day_after(stamps[cap.max_contacts - 1], cap.days, zones)


def quiet_bound(
    rule: QuietRule,
    history: Sequence[PriorContact],
    proposal: ContactProposal,
    zones: Sequence[str],
    now: datetime,
) -> datetime | None:
    """The earliest instant after the latest conversation's quiet period, or None when already over."""
    latest: datetime | None = None
    for c in history:
        if not c.conversation or (rule.per_debt and c.debt_id != proposal.debt_id):
            continue
        if latest is None or c.at > latest:
            latest = c.at
    if latest is None:
        return None
    bound = _day_after(latest, rule.days, zones)
    return bound if bound > now else None
