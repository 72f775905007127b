"""The worker loop: apply inbox events, expire holds, plan due cases, dispatch ready actions, write the
feed back to its destinations; repeat.

Any number of workers can share one PostgreSQL database (row claims skip locked rows); a SQLite file is
worked by one. The composition root (`arrears.system`) builds the parts; the loop only runs them.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sweep import newly_overdue_accounts, overdue_without_case
from arrears.cases.sync import StrategyResolver, sync_cases
from arrears.core.clock import Clock
from arrears.engine.dispatcher import Dispatcher, DispatchStats
from arrears.engine.fallbacks import wake_failed
from arrears.engine.heap import settle_heap
from arrears.engine.planner import Planner, PlanStats
from arrears.holds import expire_due
from arrears.inbox import Inbox
from arrears.store.db import transaction
from arrears.writeback.runner import WritebackRunner, WritebackStats

log = logging.getLogger(__name__)
#: How far back the first sweep of a worker looks for invoices that fell due while nothing ran.
SWEEP_LOOKBACK_DAYS = 7


@dataclass
class TickStats:
    events: int = 0
    holds_expired: int = 0
    plan: PlanStats = field(default_factory=PlanStats)
    dispatch: DispatchStats = field(default_factory=DispatchStats)
    writeback: WritebackStats = field(default_factory=WritebackStats)

    @property
    def busy(self) -> bool:
        busy = self.events or self.holds_expired or self.plan.cases or self.dispatch.claimed
        return bool(busy or self.writeback.busy)


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        *,
        inbox: Inbox,
        planner: Planner,
        dispatcher: Dispatcher,
        resolve_strategy: StrategyResolver,
        writeback: WritebackRunner | None = None,
        poll_seconds: float = 1.0,
        daily: Callable[[], int] | None = None,  # the daily summary's once-a-day hook
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.inbox = inbox
        self.planner = planner
        self.dispatcher = dispatcher
        self.resolve = resolve_strategy
        self.writeback = writeback
        self.poll_seconds = poll_seconds
        self.daily = daily
        self.worker_id = dispatcher.worker_id
        self._stop = threading.Event()
        self._swept_through: date | None = None

    def tick(self) -> TickStats:
        """One pass of every stage until each has nothing left to do at the current instant."""
        stats = TickStats()
        self._sweep()
        stats.events = self.inbox.apply_due()
        with transaction(self.sessions) as session:
            stats.holds_expired = expire_due(session, self.clock.now())
            wake_failed(session, self.clock.now())  # a failed message's step may fall back now
        stats.plan = self.planner.run_until_idle()
        stats.dispatch = self.dispatcher.run_until_idle()
        if self.writeback is not None:  # last: it publishes to the outside what the stages above did
            stats.writeback = self.writeback.run_pass()
        if self.daily is not None:  # cheap until the summary hour; then once per day across workers
            self.daily()
        return stats

    def _sweep(self) -> None:
        """Once per UTC day: cases for invoices that fell due since the last sweep (all of them at start)."""
        now = self.clock.now()
        today = now.date()
        if self._swept_through == today:
            return
        with transaction(self.sessions) as session:
            since = self._swept_through or today - timedelta(days=SWEEP_LOOKBACK_DAYS)
            accounts = set(newly_overdue_accounts(session, since, today))
            if self._swept_through is None:
                accounts.update(overdue_without_case(session, today))
            if accounts:
                sync_cases(session, now=now, resolve_strategy=self.resolve, account_ids=sorted(accounts))
        self._swept_through = today

    def stop(self, *_args: object) -> None:
        self._stop.set()

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        settle_heap()  # everything built so far lives as long as the process
        log.info("worker started", extra={"worker_id": self.worker_id})
        while not self._stop.is_set():
            try:
                stats = self.tick()
            except DBAPIError as error:
                if not (error.connection_invalidated or isinstance(error, OperationalError)):
                    raise
                # The database went away under this tick (a restart, a failover, or it ended this process's
                # session after a pause): what the tick had not committed is rolled back and done again,
                # like after a crash; the worker stays up and tries again at its next poll.
                log.warning(
                    "tick abandoned: database unavailable", extra={"error": type(error.orig).__name__}
                )
                self._stop.wait(self.poll_seconds)
                continue
            if stats.busy:
                log.info(
                    "tick",
                    extra={
                        "events": stats.events,
                        "planned": stats.plan.cases,
                        "sent": stats.dispatch.sent,
                        "written_back": stats.writeback.delivered,
                    },
                )
            else:
                self._stop.wait(self.poll_seconds)
        log.info("worker stopped", extra={"worker_id": self.worker_id})
