"""Fencing before each send: the row must still be leased by this worker, with lease enough left to send.

The dispatcher leases a batch, then sends its rows one by one. A send that takes seconds, or a worker that is
paused (SIGSTOP, a VM migration, a long GC) and resumed, can outlive the lease: another worker may meanwhile
have expired it, asked the provider and sent the row again. So right before each send the dispatcher asks
the fence whether the batch's lease still has `margin` left by its clock. In the common case it has (local
sinks send in microseconds, a batch of 200 in well under a second), and the answer costs no database round
trip. When it has not (or the clock jumped), the fence renews the lease of every row still to be sent in one
short committed transaction, guarded so that only rows still leased to this worker and not yet expired are
extended; the rows that come back are ours, every other row is lost and must not be sent.

The residual window: the check passes, then the worker stalls between the check and the provider's accept.
The lease still had at least `margin` left; the row only becomes `unknown` after that, and is only handed
back to the queue when the provider, asked `retry.reconcile_after_minutes` later, says it never got it. A
second send therefore needs a stall longer than margin + reconcile_after (an hour by default) inside a single
send, or a provider that answers "never got it" for a message it is about to accept. Clock skew between
workers eats into the margin: keep it well under the margin (NTP keeps it in milliseconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.db import transaction
from arrears.store.models import OutboxAction


class LeaseFence:
    """The lease of one claimed batch, as this worker last wrote it, and the rows it has lost."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        worker_id: str,
        lease: timedelta,
        margin: timedelta,
        expires_at: datetime,
    ) -> None:
        if not timedelta(0) < margin < lease:
            raise ValueError(
                f"the send margin ({margin}) must be positive and shorter than the lease ({lease})"
            )
        self.sessions = sessions
        self.worker_id = worker_id
        self.lease = lease
        self.margin = margin
        self.expires_at = expires_at
        self.lost: set[str] = set()
        self.renewals = 0

    def ready(self, now: datetime) -> bool:
        """Whether a send may start now without a renewal: the lease has at least `margin` left."""
        return self.expires_at - now >= self.margin

    def holds(self, row_id: str) -> bool:
        return row_id not in self.lost

    def renew(self, rows: Sequence[Any], now: datetime) -> None:
        """Extend the lease of `rows` to `now + lease`, in its own committed transaction; rows that are no
        longer leased to this worker, or whose lease already ran out, are lost."""
        ids = [row.id for row in rows if row.id not in self.lost]
        if not ids:
            return
        with transaction(self.sessions) as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(OutboxAction)
                .where(
                    OutboxAction.id.in_(ids),
                    OutboxAction.lease_owner == self.worker_id,
                    OutboxAction.status == "leased",
                    OutboxAction.lease_expires_at > now,
                )
                .values(lease_expires_at=now + self.lease)
                .returning(OutboxAction.id)
            )
            kept = set(result.scalars())
        self.lost.update(i for i in ids if i not in kept)
        self.expires_at = now + self.lease
        self.renewals += 1
