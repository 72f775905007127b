"""Calling a destination and turning what it answered into ledger outcomes (never raises)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from arrears.writeback.base import BatchDestination, DeliveryRefused, DeliveryUnavailable, Destination, Item
from arrears.writeback.ledger import Outcome

log = logging.getLogger(__name__)
#: Unavailable answers in a row after which the destination counts as down for the rest of the pass.
DOWN_AFTER = 3


def _outcome(destination: str, event_id: str, kind: str, exc: Exception | None) -> Outcome:
    if exc is None:
        return Outcome(event_id, kind)
    extra = {"destination": destination, "event_id": event_id, "kind": kind, "error": type(exc).__name__}
    log.warning("writeback delivery failed", extra=extra)
    if isinstance(exc, DeliveryRefused):
        return Outcome(event_id, kind, error=str(exc) or "refused", refused=True)
    if isinstance(exc, DeliveryUnavailable):
        return Outcome(event_id, kind, error=str(exc) or "unavailable", retry_after=exc.retry_after)
    return Outcome(event_id, kind, error=f"{type(exc).__name__}: {exc}")


def attempt_each(destination: Destination, items: Sequence[Item], deadline: float) -> list[Outcome]:
    """One call per event, in order; stops early (outcomes shorter) once the destination looks down or
    the time.monotonic() `deadline` passed (the lease must outlast the batch: no second reader meanwhile)."""
    outcomes: list[Outcome] = []
    in_a_row = 0
    for event, case in items:
        if time.monotonic() > deadline:
            break
        failure: Exception | None = None
        try:
            destination.deliver(event, case)
        except Exception as exc:  # every failure is an outcome; only its kind decides what follows
            failure = exc
        outcomes.append(_outcome(destination.name, event.id, event.kind, failure))
        in_a_row = in_a_row + 1 if failure is not None and not isinstance(failure, DeliveryRefused) else 0
        if in_a_row >= DOWN_AFTER:
            break
    return outcomes


def attempt_batch(destination: BatchDestination, items: Sequence[Item]) -> list[Outcome]:
    """One call for the whole batch; its answer is every event's outcome."""
    failure: Exception | None = None
    try:
        destination.deliver_batch(items)
    except Exception as exc:  # as in attempt_each
        failure = exc
    return [_outcome(destination.name, e.id, e.kind, failure) for e, _ in items]
