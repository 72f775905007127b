"""The I/O of channel fallback: which step messages of a batch failed for good, and waking their cases.

A message fails for good when the dispatcher gives it up (outbox `failed`: the provider rejected it, such
as a WhatsApp text outside the 24-hour window with no approved template, or no attempt is left) or when
a delivery report says it never arrived (interaction `delivery_status` failed or undelivered, such as an
e-mail hard bounce). Both are read for a whole batch in two set statements; the pure rules in
`arrears.strategy.fallback` decide what to send instead. A failure can be learned days after the step
was planned, so a feed consumer wakes the case as soon as one is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from arrears.casefacts.raw import RawReader
from arrears.feed import EventKind
from arrears.feed.read import advance, read
from arrears.store.models import Case

#: The feed consumer that wakes cases whose messages failed (its cursor in feed_cursors).
CONSUMER = "strategy-fallback"

#: Given up by the dispatcher (rejected by the provider, or no attempt left).
_GIVEN_UP = (
    "SELECT case_id, step_id, channel FROM outbox_actions "
    "WHERE case_id {ids} AND kind = 'contact' AND status = 'failed'"
)
#: Sent, then reported as never delivered (a hard bounce, an undeliverable text).
_UNDELIVERED = (
    "SELECT o.case_id, o.step_id, o.channel FROM interactions i JOIN outbox_actions o ON o.id = i.outbox_id "
    "WHERE i.case_id {ids} AND i.direction = 'outbound' AND i.delivery_status IN ('failed', 'undelivered') "
    "AND o.kind = 'contact'"
)


def failed_channels(session: Session, case_ids: Sequence[str]) -> dict[str, frozenset[tuple[str, str]]]:
    """(step id, channel) pairs whose message failed for good, by case, for the whole batch at once."""
    if not case_ids:
        return {}
    reader = RawReader(session)
    try:
        rows = _rows(reader, list(case_ids))
    finally:
        reader.close()
    found: dict[str, set[tuple[str, str]]] = {}
    for case_id, step_id, channel in rows:
        found.setdefault(case_id, set()).add((step_id, channel))
    return {case_id: frozenset(pairs) for case_id, pairs in found.items()}


def _rows(reader: RawReader, case_ids: list[str]) -> list[tuple[str, str, str]]:
    rows = reader.rows(_GIVEN_UP, case_ids) + reader.rows(_UNDELIVERED, case_ids)
    return [(r[0], r[1], r[2]) for r in rows]


def wake_failed(session: Session, now: datetime, limit: int = 500) -> int:
    """Plan at once every open case whose message failed since the cursor; returns the cases woken.

    Waking twice is harmless (planning is idempotent), so workers sharing the cursor need no lock here.
    """
    events = read(session, CONSUMER, limit)
    if not events:
        return 0
    cases = {e.case_id for e in events if e.kind == EventKind.MESSAGE_FAILED and e.case_id}
    if cases:
        session.execute(
            update(Case)
            .where(
                Case.id.in_(sorted(cases)),
                Case.status == "open",
                or_(Case.next_action_at.is_(None), Case.next_action_at > now),
            )
            .values(next_action_at=now)
        )
    advance(session, CONSUMER, events[-1].position, now)
    return len(cases)
