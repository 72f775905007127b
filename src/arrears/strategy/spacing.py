"""How far apart the messages of one case leave: one pure rule for the planner and the dispatcher.

The planner plans a step no earlier than this rule allows, and the dispatcher asks it again right before
a send, because a row can reach the queue by other paths (a replan after an event, a deferral that
released two rows at the same instant). Only the case's own messages count: caps across a customer's
debts are the contact gate's business (compliance), not the ladder's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from arrears.core.clock import ensure_utc
from arrears.strategy.schema import Spacing

#: With `first_contact_alone`, nothing else of the case leaves within this long after its first message.
FIRST_CONTACT_ALONE = timedelta(hours=24)


def spaced_until(
    spacing: Spacing,
    channel: str,
    sent: Iterable[tuple[str, datetime]],
    now: datetime,
    *,
    late: bool = False,
) -> datetime | None:
    """When a message of one case on `channel` may leave; None: now.

    `sent` is the case's messages so far as (channel, instant), queued ones counted as sent; `late`
    says the step's ladder day has passed (it is catching up). A message dated after `now` (clock skew,
    a queued row dated at planning time) counts from its own date, so the bound only grows.
    """
    now = ensure_utc(now)
    earlier = [(c, ensure_utc(at)) for c, at in sent]
    same = timedelta(hours=spacing.same_channel_hours)
    gap_any = timedelta(hours=spacing.any_channel_hours)
    if late:
        gap_any = max(gap_any, timedelta(hours=spacing.late_step_hours))
    if spacing.first_contact_alone and len(earlier) == 1:
        gap_any = max(gap_any, FIRST_CONTACT_ALONE)
    bound: datetime | None = None
    for previous_channel, at in earlier:
        gap = max(gap_any, same) if previous_channel == channel else gap_any
        if not gap:
            continue
        until = at + gap
        if until > now and (bound is None or until > bound):
            bound = until
    return bound


NO_SPACING = Spacing(same_channel_hours=0, any_channel_hours=0, late_step_hours=0, first_contact_alone=False)
