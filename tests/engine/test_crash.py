"""Kill, stall and slow down real worker processes, and prove from the sinks that nothing was lost or doubled.

Every run is compared with a crash-free single-worker run of the same portfolio (`_reference`): the same
contacts to the same people, each once, and every validation notice the full Reg F gate says a first contact
owes. Worker processes share one clock (`crash_worker.SharedClock`); a test moves it on past the lease and
the strategy's reconcile_after_minutes when it plays "an hour later".
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.store.db import make_engine, session_factory
from arrears.store.migrate import upgrade
from arrears.store.models import AuditEntry, OutboxAction
from tests.engine.crash_worker import build_worker, drain
from tests.engine.exactly_once_support import (
    NOTICE,
    START,
    process_state,
    seed_us,
    sent_interactions,
    sink_contacts,
    sink_keys,
    statuses,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]
AN_HOUR_LATER = str(62 * 60)  # past the 5 s lease and the strategy's 60 reconcile_after_minutes

Contacts = Counter[tuple[str, str, str]]


def _reference(tmp_path: Path, seed: Callable[[sessionmaker[Session]], None]) -> Contacts:
    """What one worker that never crashes sends for the same portfolio (SQLite, in this process)."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    seed(sessions)
    outbox = tmp_path / "reference-outbox"
    worker = build_worker(url, outbox, SimulatedClock(START), lease=5, batch=100, wrap=lambda _n, c: c)
    drain(worker, time.monotonic() + 120)
    contacts = sink_contacts(outbox, sessions)
    engine.dispose()
    assert contacts and max(contacts.values()) == 1
    return contacts


class Workers:
    """Worker processes of one test, on one shared clock."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.outbox = tmp_path / "outbox"
        self.clock_file = tmp_path / "clock-offset"
        self.tmp_path = tmp_path
        self.anchor = time.time()

    def start(self, mode: str, *options: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tests.engine.crash_worker", self.url, str(self.outbox), mode]
        command += ["--start", START.isoformat(), "--anchor", repr(self.anchor)]
        command += ["--clock-file", str(self.clock_file), *options]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def an_hour_later(self) -> None:
        """Move every worker's clock on at once (written whole: a reader never sees a half-written file)."""
        temp = self.clock_file.with_suffix(".tmp")
        temp.write_text(AN_HOUR_LATER)
        temp.replace(self.clock_file)

    def finish(self, *workers: subprocess.Popen[bytes]) -> None:
        for worker in workers:
            _, err = worker.communicate(timeout=180)
            assert worker.returncode == 0, err.decode()[-3000:]


def _summary(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _row(sessions: sessionmaker[Session], key: str) -> OutboxAction:
    with sessions() as session:
        return session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == key)).one()


def _exactly_as_reference(outbox: Path, sessions: sessionmaker[Session], reference: Contacts) -> None:
    duplicates = [key for key, n in sink_keys(outbox).items() if n > 1]
    assert duplicates == [], f"sent twice: {duplicates[:5]}"
    contacts = sink_contacts(outbox, sessions)
    assert contacts == reference, {"missing": reference - contacts, "extra": contacts - reference}
    assert set(statuses(sessions)) == {"sent"}
    assert max(sent_interactions(sessions).values()) == 1, "one send recorded twice"
    notices = {dest for dest, step, _ in contacts if step == NOTICE}
    first = {dest for dest, step, channel in contacts if step != NOTICE and channel == "email"}
    assert first <= notices, "a first contact without its validation notice"


@pytest.mark.slow
def test_a_kill_between_the_providers_accept_and_our_record_is_recovered_exactly_once(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    def seed(target: sessionmaker[Session]) -> None:
        seed_us(target, START, 12)

    seed(sessions)
    workers = Workers(database_url, tmp_path)
    marker = tmp_path / "killed"
    victim = workers.start("run", "--kill-first-contact-of-case", "3", "--marker", str(marker))
    assert victim.wait(timeout=60) == -signal.SIGKILL, victim.stderr.read().decode() if victim.stderr else ""
    key = marker.read_text()
    row = _row(sessions, key)
    assert sink_keys(workers.outbox)[key] == 1
    assert row.status == "leased" and sent_interactions(sessions)[row.id] == 0, "killed before the record"
    assert row.payload["decision"]["validation_period_end"], "a first contact that owes a notice"

    workers.an_hour_later()
    workers.finish(workers.start("drain"))

    assert _row(sessions, key).status == "sent" and sink_keys(workers.outbox)[key] == 1
    with sessions() as session:
        notice = session.scalars(
            select(OutboxAction).where(OutboxAction.case_id == row.case_id, OutboxAction.step_id == NOTICE)
        ).one()
    assert notice.status == "sent" and sink_keys(workers.outbox)[notice.idempotency_key] == 1
    _exactly_as_reference(workers.outbox, sessions, _reference(tmp_path, seed))


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_sends_nothing_twice(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    def seed(target: sessionmaker[Session]) -> None:
        seed_us(target, START, 120, sms_every=4)

    seed(sessions)
    workers = Workers(database_url, tmp_path)
    rng = random.Random(42)
    for _ in range(3):
        worker = workers.start("run")
        time.sleep(rng.uniform(2.0, 3.5))
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    workers.an_hour_later()
    workers.finish(workers.start("drain"))
    _exactly_as_reference(workers.outbox, sessions, _reference(tmp_path, seed))


@pytest.mark.slow
def test_a_worker_stopped_past_its_lease_and_resumed_sends_nothing_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    """SIGSTOP a worker that holds 60 leased rows right after its 3rd send; an hour later (the other worker
    has expired its leases, asked the provider and requeued what never left) SIGCONT it."""
    sessions = session_factory(make_engine(postgres_url))

    def seed(target: sessionmaker[Session]) -> None:
        seed_us(target, START, 60)

    seed(sessions)
    workers = Workers(postgres_url, tmp_path)
    marker, summary = tmp_path / "stopped", tmp_path / "stopped.json"
    paused = workers.start(
        "drain", "--stop-after-send", "3", "--marker", str(marker), "--summary", str(summary)
    )
    wait_for(lambda: marker.exists() and process_state(paused.pid) == "T", "the worker to stop itself")
    workers.an_hour_later()
    other = workers.start("drain")

    def nothing_held() -> bool:
        held = statuses(sessions)
        return held["leased"] == 0 and held["unknown"] == 0

    wait_for(nothing_held, "the other worker to settle the stopped worker's rows")
    paused.send_signal(signal.SIGCONT)
    workers.finish(paused, other)

    stats = _summary(summary)["stats"]
    assert stats["fenced"] == 57, "the resumed worker skipped every row it no longer held"
    _exactly_as_reference(workers.outbox, sessions, _reference(tmp_path, seed))


@pytest.mark.slow
def test_three_workers_with_a_slow_provider_and_short_leases_send_every_owed_notice_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """Texts take 2 s at the provider, leases last 5 s: a batch outlives its lease many times over."""
    sessions = session_factory(make_engine(postgres_url))

    def seed(target: sessionmaker[Session]) -> None:
        seed_us(target, START, 240, sms_every=8)

    seed(sessions)
    workers = Workers(postgres_url, tmp_path)
    summaries = [tmp_path / f"worker{i}.json" for i in range(3)]
    slow = ("--latency", "2", "--slow", "sms", "--batch", "50")
    workers.finish(*[workers.start("drain", *slow, "--summary", str(path)) for path in summaries])

    stats = [_summary(path)["stats"] for path in summaries]
    assert sum(s["unknown"] + s["reviewed"] for s in stats) == 0, "a lease ran out mid-batch"
    # Each case's first message (the e-mail; for every 8th, 4 days past due, the day-3 text: catch-up
    # skipped its day-1 e-mail) and the validation notice each first contact owes.
    assert sum(s["renewals"] for s in stats) > 0 and sum(s["sent"] for s in stats) == 240 * 2
    with sessions() as session:
        senders = set(session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "action_sent")))
    assert len(senders) >= 2, "the work was shared between workers"
    _exactly_as_reference(workers.outbox, sessions, _reference(tmp_path, seed))
