"""The worker loop: apply inbox events, plan due cases, dispatch ready actions; repeat.

Any number of workers can share one PostgreSQL database (row claims skip locked rows); a SQLite file is
worked by one.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.sweep import newly_overdue_accounts, overdue_without_case
from arrears.cases.sync import sync_cases
from arrears.channels.base import Channel
from arrears.compliance.model import ContactGate
from arrears.core.clock import Clock
from arrears.engine.dispatcher import Dispatcher, DispatchStats
from arrears.engine.heap import settle_heap
from arrears.engine.inbox import process_inbox
from arrears.engine.planner import Planner, PlanStats
from arrears.engine.wiring import disclosure_texts, register_strategies, strategy_library, strategy_resolver
from arrears.settings import Settings
from arrears.store.db import transaction

log = logging.getLogger(__name__)
#: How far back the first sweep of a worker looks for invoices that fell due while nothing ran.
SWEEP_LOOKBACK_DAYS = 7


@dataclass
class TickStats:
    events: int = 0
    plan: PlanStats = field(default_factory=PlanStats)
    dispatch: DispatchStats = field(default_factory=DispatchStats)

    @property
    def busy(self) -> bool:
        return bool(self.events or self.plan.cases or self.dispatch.claimed)


class Worker:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Clock,
        gate: ContactGate,
        channels: Mapping[str, Channel],
        *,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        library = strategy_library(settings)
        self.resolve = strategy_resolver(settings)
        with transaction(sessions) as session:
            register_strategies(session, library, clock.now())
        self.planner = Planner(sessions, clock, library, gate, batch_size=settings.batch_size)
        self.dispatcher = Dispatcher(
            sessions,
            clock,
            channels,
            gate,
            worker_id=self.worker_id,
            lease_seconds=settings.lease_seconds,
            batch_size=min(settings.batch_size, 200),
            disclosures_for=disclosure_texts(gate, settings),
            retry_for=lambda name, version: library.strategy(name, version).retry,
        )
        self._stop = threading.Event()
        self._swept_through: date | None = None

    def tick(self) -> TickStats:
        """One pass of every stage until each has nothing left to do at the current instant."""
        stats = TickStats()
        self._sweep()
        stats.events = process_inbox(self.sessions, self.clock, self.resolve)
        stats.plan = self.planner.run_until_idle()
        stats.dispatch = self.dispatcher.run_until_idle()
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
            stats = self.tick()
            if stats.busy:
                log.info(
                    "tick",
                    extra={"events": stats.events, "planned": stats.plan.cases, "sent": stats.dispatch.sent},
                )
            else:
                self._stop.wait(self.settings.worker_poll_seconds)
        log.info("worker stopped", extra={"worker_id": self.worker_id})
