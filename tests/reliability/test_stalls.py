"""Real `arrears worker` processes on PostgreSQL that stall past their lease, or wait on a provider slower
than the lease: another worker takes the work over and nothing leaves twice.

A stalled worker is paused with SIGSTOP by its own crash point (right after the provider accepted its 3rd
send, holding the rest of its batch) and resumed with SIGCONT once its lease ran out in real time and
another worker has expired it. The timeline is one for all processes, as a shared wall clock would be.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from arrears.store.models import OutboxAction, Task
from tests.engine.exactly_once_support import (
    process_state,
    sink_contacts,
    sink_keys,
    statuses,
    wait_for,
)
from tests.fakes.twilio_api import fake_twilio
from tests.reliability.crash_support import Contacts, Run, assert_as_reference
from tests.reliability.processes import run, spawn


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)  # the worker finishes its tick and exits 0
    assert process.wait(timeout=120) == 0


def test_a_worker_paused_past_its_lease_and_resumed_sends_nothing_twice(
    postgres_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts]
) -> None:
    file, expected = portfolio
    stalled = Run(postgres_url, tmp_path)
    run(["import", "invoices", str(file)], stalled.env(), stalled.logs, "import")
    # One send at a time: when the point stops the process, no other thread of it is inside a statement or
    # a transaction (a worker stopped inside one is the next test's case). This test is about the fence.
    paused = stalled.worker(
        "dispatch.after_accept:3:stop", database_idle_transaction_seconds="2", send_concurrency="1"
    )
    wait_for(lambda: bool(stalled.hit()) and process_state(paused.pid) == "T", "the worker to pause itself")
    held = statuses(stalled.sessions())["leased"]
    assert held > 0, "the paused worker holds leased rows"
    time.sleep(6)  # its 5 s lease runs out while it cannot act
    stalled.once()  # another worker: expires the lease, the rows are asked about in an hour
    assert statuses(stalled.sessions())["leased"] == 0
    paused.send_signal(signal.SIGCONT)
    wait_for(lambda: "resumed" in stalled.markers[0].read_text(), "the worker to resume")
    time.sleep(2)  # the resumed worker meets its fence and goes on with its loop
    _stop(paused)
    assert max(sink_keys(stalled.outbox).values()) == 1, "the resumed worker sent what it no longer held"
    for _ in range(2):
        stalled.an_hour_later()
        stalled.once()
    assert_as_reference(stalled, expected)


def test_a_worker_paused_inside_its_record_transaction_holds_no_other_worker_up(
    postgres_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts]
) -> None:
    """Paused with a chunk's records written and their rows locked, not committed. Another worker would
    queue behind those locks for as long as the pause lasts; PostgreSQL ends the paused session once it sat
    idle in its transaction for `database_idle_transaction_seconds`, the locks go with it, and the other
    worker goes on. Resumed, the worker finds its session gone, abandons that tick like a crash would, and
    stays up. Nothing is sent twice; in the end the result is the reference's."""
    file, expected = portfolio
    stalled = Run(postgres_url, tmp_path)
    run(["import", "invoices", str(file)], stalled.env(), stalled.logs, "import")
    paused = stalled.worker("dispatch.inside_record:1:stop", database_idle_transaction_seconds="2")
    wait_for(lambda: bool(stalled.hit()) and process_state(paused.pid) == "T", "the worker to pause itself")
    time.sleep(6)  # its 5 s lease runs out; its session, idle in its transaction, is ended by the server
    stalled.once()  # not held up by the paused worker's row locks
    assert statuses(stalled.sessions())["leased"] == 0
    paused.send_signal(signal.SIGCONT)
    wait_for(lambda: "resumed" in stalled.markers[0].read_text(), "the worker to resume")
    time.sleep(2)  # the resumed worker's commit fails on its ended session; it goes on with its loop
    _stop(paused)
    assert max(sink_keys(stalled.outbox).values()) == 1, "the resumed worker sent what it no longer held"
    assert "tick abandoned: database unavailable" in "".join(
        p.read_text() for p in stalled.logs.glob("worker*")
    )
    for _ in range(2):
        stalled.an_hour_later()
        stalled.once()
    assert_as_reference(stalled, expected)


@pytest.mark.slow
def test_two_workers_and_a_provider_slower_than_the_lease_send_nothing_twice(
    postgres_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts]
) -> None:
    """Texts go to a Twilio-shaped provider that takes 6 s to accept each (the lease is 5 s) while a
    second worker expires leases. Every text reaches the provider at most once; a text whose lease ran out
    before its record is not resent: Twilio is asked (its Messages list) and the text is recorded as sent;
    only a text Twilio's list cannot settle goes to a person, and its validation notice waits for their
    answer. Nothing else is lost."""
    file, expected = portfolio
    slow = Run(postgres_url, tmp_path)
    run(["import", "invoices", str(file)], slow.env(), slow.logs, "import")
    with fake_twilio() as twilio:
        twilio.latency = 6.0
        twilio.now = slow.now  # Twilio's timestamps on the run's timeline (its lists filter by them)
        settings = {
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": "slow-provider-token",
            "twilio_from_number": "+15005550006",
            "twilio_api_base_url": twilio.url,
        }
        first = spawn(["worker"], slow.env(**settings), slow.logs, "worker")
        wait_for(lambda: len(twilio.requests) >= 1, "the first text to reach the provider")
        second = spawn(["worker"], slow.env(**settings), slow.logs, "worker")
        time.sleep(20)  # both work the queue, each text outliving its lease
        _stop(first)
        _stop(second)
        for _ in range(2):
            slow.an_hour_later()
            run(["worker", "--once"], slow.env(**settings), slow.logs, "worker-once")
        sent_to = Counter(request.one("To") for request in twilio.creates())
    assert sent_to and max(sent_to.values()) == 1, f"texted twice: {sent_to.most_common(3)}"
    _only_texts_wait_for_a_person(slow, expected, sent_to)


def _only_texts_wait_for_a_person(slow: Run, expected: Contacts, sent_to: Counter[str]) -> None:
    sessions = slow.sessions()
    left = statuses(sessions)
    assert set(left) <= {"sent", "review"}, left
    with sessions() as session:
        review = session.execute(
            select(OutboxAction.destination, OutboxAction.channel, OutboxAction.case_id).where(
                OutboxAction.status == "review"
            )
        ).all()
        asked = select(Task.case_id).where(Task.status == "open", Task.reason == "delivery_unknown")
        tasks = set(session.scalars(asked))
    assert {channel for _dest, channel, _id in review} <= {"sms"} and {i for *_, i in review} <= tasks
    texts = Counter(dest for dest, _step, channel in expected.elements() if channel == "sms")
    assert set(sent_to) | {dest for dest, *_ in review} == set(texts), "a text neither sent nor reviewed"
    written = sink_contacts(slow.outbox, sessions)
    others = Counter({key: n for key, n in expected.items() if key[2] != "sms"})
    assert not written - others, "sent something the clean run does not"
    assert sum((others - written).values()) == len(review), "only the notices of reviewed texts wait"
