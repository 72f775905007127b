"""SIGKILL a worker mid-run, restart it, and prove from the sinks that nothing was lost or doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.models import AuditEntry, OutboxAction
from tests.engine.portfolio import add_debtor, open_cases

ROOT = Path(__file__).resolve().parents[2]


def _midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now, so the contact window is open during the test."""
    offset = 12 - now.hour
    offset = offset - 24 if offset > 14 else offset
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _sink_keys(outbox: Path) -> list[str]:
    keys = (
        [p.name.split(".")[0] for p in (outbox / "email").glob("*.eml")]
        if (outbox / "email").exists()
        else []
    )
    for name in ("sms", "whatsapp", "voice", "letter"):
        path = outbox / f"{name}.jsonl"
        if path.exists():
            keys += [json.loads(line)["idempotency_key"] for line in path.read_text().splitlines() if line]
    return keys


def _seed(sessions: sessionmaker[Session], count: int) -> None:
    """Cases 16 days overdue for people for whom it is about noon: several steps due at once."""
    now = datetime.now(UTC)
    zone = _midday_zone(now)
    with sessions.begin() as session:
        for _ in range(count):
            add_debtor(
                session,
                now=now,
                due_on=now.date() - timedelta(days=16),
                time_zone=zone,
                country="GB",
                state="",
                mobile="+447700900123",
            )
    open_cases(sessions, now)


def _start(url: str, outbox: Path, mode: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.crash_worker", url, str(outbox), mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_sigkill_mid_run_loses_nothing_and_sends_nothing_twice(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(sessions, 150)
    outbox = tmp_path / "outbox"
    rng = random.Random(42)
    for _ in range(3):
        worker = _start(database_url, outbox, "run")
        time.sleep(rng.uniform(1.0, 2.5))
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    drain = _start(database_url, outbox, "drain")
    _, err = drain.communicate(timeout=240)
    assert drain.returncode == 0, err.decode()

    with sessions() as session:
        rows = session.execute(select(OutboxAction.idempotency_key, OutboxAction.status)).all()
    statuses = Counter(status for _, status in rows)
    assert rows, "the run planned nothing"
    assert set(statuses) <= {"sent", "refused", "cancelled"}, statuses
    sent_keys = {key for key, status in rows if status == "sent"}
    sink = _sink_keys(outbox)
    duplicates = [key for key, n in Counter(sink).items() if n > 1]
    assert duplicates == [], f"sent twice: {duplicates[:5]}"
    assert set(sink) == sent_keys, "every recorded send is in a sink and every sink entry is recorded"
    # Three steps are due 16 days in for every case (email day 3, sms/voice later): all went out once.
    assert len(sent_keys) >= 150


@pytest.mark.slow
def test_three_workers_share_one_postgres_database_without_double_sends(
    postgres_url: str, tmp_path: Path
) -> None:
    from arrears.store.db import make_engine, session_factory

    sessions = session_factory(make_engine(postgres_url))
    _seed(sessions, 150)
    outbox = tmp_path / "outbox"
    workers = [_start(postgres_url, outbox, "drain") for _ in range(3)]
    for worker in workers:
        _, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err.decode()
    with sessions() as session:
        rows = session.execute(select(OutboxAction.idempotency_key, OutboxAction.status)).all()
        senders = set(session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "action_sent")))
    sent_keys = {key for key, status in rows if status == "sent"}
    sink = _sink_keys(outbox)
    assert [key for key, n in Counter(sink).items() if n > 1] == []
    assert set(sink) == sent_keys and len(sent_keys) >= 150
    assert len(senders) >= 2, "the work was shared between workers"
