"""A worker process for the crash and stall tests, with faults injected around the real local sinks.

`run` works until killed; `drain` works until nothing is left to do now, then writes a summary and exits.
Faults: SIGKILL itself right after the provider accepted the first contact of its Nth case (between the
send and our record, provably: the key is written to a marker file first); SIGSTOP itself right after its
Nth send (paused holding leased rows; the test sends SIGCONT); provider latency on some channels.

Every process of a test shares one clock: `--start` at the wall-clock instant `--anchor`, moving in real
time, plus an offset the test may write to `--clock-file` (a stalled worker's world moves on meanwhile).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select

from arrears.channels.base import Channel, DeliveryResult, OutboundMessage
from arrears.core.clock import Clock
from arrears.core.ids import idempotency_key
from arrears.engine.dispatcher import DispatchStats
from arrears.engine.notices import VALIDATION_STEP
from arrears.engine.worker import Worker
from arrears.settings import Settings
from arrears.store.models import OutboxAction
from arrears.system import build_system
from tests.engine.exactly_once_support import Slow


class SharedClock:
    """Real time shifted to `start`, plus the offset in `file` (seconds) when there is one."""

    def __init__(self, start: datetime, anchor: float, file: Path | None) -> None:
        self.start, self.anchor, self.file = start, anchor, file

    def now(self) -> datetime:
        extra = float(self.file.read_text() or 0) if self.file and self.file.exists() else 0.0
        return self.start + timedelta(seconds=time.time() - self.anchor + extra)


class Fault:
    """Counts sends through every channel of the process and fires `fire` after the chosen one."""

    def __init__(self) -> None:
        self.fire: Callable[[OutboundMessage], None] = lambda _message: None
        self.sent: list[str] = []

    def wrap(self, inner: Channel) -> Channel:
        fault = self

        class Wrapped:
            name = inner.name

            def send(self, message: OutboundMessage) -> DeliveryResult:
                result = inner.send(message)
                fault.sent.append(message.idempotency_key)
                fault.fire(message)
                return result

            def lookup(self, key: str) -> DeliveryResult | None:
                return inner.lookup(key)

        return Wrapped()


def kill_on_first_contact_of_case(nth: int, marker: Path) -> Callable[[OutboundMessage], None]:
    """SIGKILL right after the provider accepted the first message of the nth case this process contacts."""
    cases: set[str] = set()

    def fire(message: OutboundMessage) -> None:
        case = message.case_id or ""
        if case in cases or message.idempotency_key == idempotency_key(case, VALIDATION_STEP):
            return
        cases.add(case)
        if len(cases) == nth:
            marker.write_text(message.idempotency_key)
            os.kill(os.getpid(), signal.SIGKILL)

    return fire


def stop_after_send(nth: int, marker: Path, sent: list[str]) -> Callable[[OutboundMessage], None]:
    """SIGSTOP right after the nth send was accepted, holding the rest of the batch's leases."""

    def fire(message: OutboundMessage) -> None:
        if len(sent) == nth:
            marker.write_text(message.idempotency_key)
            os.kill(os.getpid(), signal.SIGSTOP)
            marker.with_suffix(".resumed").write_text("resumed")

    return fire


def build_worker(
    url: str,
    outbox: Path,
    clock: Clock,
    *,
    lease: int,
    batch: int,
    wrap: Callable[[str, Channel], Channel],
    concurrency: int = 1,
) -> Worker:
    """The product's worker (composition root, full third-party gate), its channels wrapped for faults.

    One send at a time unless `concurrency` says otherwise: these tests stop or kill a worker after its nth
    send and count what it still held, which only one send in flight makes exact."""
    settings = Settings(
        _env_file=None,
        database_url=url,
        outbox_dir=outbox,
        lease_seconds=lease,
        batch_size=batch,
        send_concurrency=concurrency,
        gate="profiles",
        collector_kind="third_party",
        agent_business_name="Acme Recovery",
    )
    system = build_system(settings, clock=clock)
    system.channels = {name: wrap(name, channel) for name, channel in system.channels.items()}
    return system.worker(f"worker-{os.getpid()}")


def outstanding(worker: Worker) -> int:
    """Rows someone must still act on now: due pending ones, leased ones, unknown ones due to be asked."""
    now = worker.clock.now()
    with worker.sessions() as session:
        due = OutboxAction.not_before <= now
        count = session.scalar(
            select(func.count()).where(
                or_(
                    OutboxAction.status == "leased",
                    (OutboxAction.status == "pending") & due,
                    (OutboxAction.status == "unknown") & due,
                )
            )
        )
    return int(count or 0)


def drain(worker: Worker, deadline: float) -> DispatchStats:
    total = DispatchStats()
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise SystemExit(3)
        stats = worker.tick().dispatch
        for name, value in asdict(stats).items():
            setattr(total, name, getattr(total, name) + value)
        quiet = quiet + 1 if not stats.claimed and not outstanding(worker) else 0
        time.sleep(0.05)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("outbox", type=Path)
    parser.add_argument("mode", choices=["run", "drain"])
    parser.add_argument("--start", type=datetime.fromisoformat, required=True)
    parser.add_argument("--anchor", type=float, required=True)
    parser.add_argument("--clock-file", type=Path)
    parser.add_argument("--lease", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--kill-first-contact-of-case", type=int, default=0)
    parser.add_argument("--stop-after-send", type=int, default=0)
    parser.add_argument("--marker", type=Path)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--slow", default="sms,voice")
    parser.add_argument("--summary", type=Path)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()

    fault = Fault()
    if args.kill_first_contact_of_case:
        fault.fire = kill_on_first_contact_of_case(args.kill_first_contact_of_case, args.marker)
    elif args.stop_after_send:
        fault.fire = stop_after_send(args.stop_after_send, args.marker, fault.sent)
    slow = set(args.slow.split(","))

    def wrap(name: str, channel: Channel) -> Channel:
        inner: Channel = Slow(channel, args.latency) if args.latency and name in slow else channel
        return fault.wrap(inner)

    clock = SharedClock(args.start, args.anchor, args.clock_file)
    worker = build_worker(
        args.url,
        args.outbox,
        clock,
        lease=args.lease,
        batch=args.batch,
        wrap=wrap,
        concurrency=args.concurrency,
    )
    if args.mode == "run":
        while True:
            worker.tick()
            time.sleep(0.01)
    stats = drain(worker, time.monotonic() + args.seconds)
    if args.summary:
        args.summary.write_text(json.dumps({"stats": asdict(stats), "sent": fault.sent}))


if __name__ == "__main__":
    main()
