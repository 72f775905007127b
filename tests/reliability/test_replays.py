"""Replay: every inbound entrance delivered again and again to a real `arrears serve`, applied by real
`arrears worker --once` passes, on SQLite and PostgreSQL: one effect each, never a 5xx.

Each family of input (every event type of /v1/events, Twilio's texts, delivery reports and calls, the
payment page, one-click unsubscribe, web chat) runs on customers of its own, each first delivered in one
of three ways: 3 times in a row, 3 times shuffled among all the others, or 10 identical copies at once over
their own connections. Once everything is applied (calls hung up, disputes ended), every input is
delivered again 3 times shuffled and 10 times at once, and not one row anywhere changes. Every text and
e-mail that left (replies, opt-out confirmations, reminders when the customers' day has begun) left once.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.db import make_engine, session_factory
from arrears.store.models import InboxEvent
from tests.reliability.processes import arrears_env, run, served, spawn
from tests.reliability.replay_inputs import EVENT_OK, FAMILIES, Context, Family, footprint
from tests.reliability.replay_support import (
    PUBLIC_BASE,
    TWILIO_TOKEN,
    Input,
    Person,
    Tally,
    at_once,
    changed,
    create_api_key,
    effects,
    in_order,
    now,
    recorded_sent,
    sends,
    shuffled,
    timeline_settings,
    write_portfolio,
)

MODES = ("in order", "shuffled", "at once")
LINK_SECRET = "replay-link-secret-0123456789abcdef"


@dataclass(frozen=True)
class Cast:
    """Who plays what: per family, one customer per (mode, instance)."""

    roles: tuple[tuple[Family, str, Person], ...]

    @classmethod
    def of(cls, instances: int) -> Cast:
        roles, index = [], 0
        for family in FAMILIES:
            for mode in MODES:
                for _ in range(instances):
                    index += 1
                    roles.append((family, mode, Person(index)))
        return cls(tuple(roles))

    @property
    def people(self) -> list[Person]:
        return [person for _, _, person in self.roles]


@dataclass
class Replays:
    """One run: the processes' settings, who applies stored inputs, and every answer's status.

    `live`: an `arrears worker` runs all along and applies inputs while their repeats still arrive (the
    way Arrears is deployed); otherwise `arrears worker --once` applies them after each stage.
    """

    env: dict[str, str]
    logs: Path
    sessions: sessionmaker[Session]
    copies: int
    live: bool
    tally: Tally = field(default_factory=Tally)
    rng: random.Random = field(default_factory=lambda: random.Random(10))
    first_sends: int = 0  # requests of the first round
    together: int = 3  # inputs whose bursts are released at once

    def apply(self) -> None:
        """Apply what is stored; what failed because it came before what it names (a payment before its
        account) is queued again by an operator's `arrears inbox replay` and applied."""
        self._settle()
        with self.sessions() as session:
            failed = session.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "failed")
            )
        if failed:
            run(["inbox", "replay", "--all-failed"], self.env, self.logs, "inbox-replay")
            self._settle()

    def _settle(self) -> None:
        if not self.live:
            run(["worker", "--once"], self.env, self.logs, "worker")
            return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.sessions() as session:
                waiting = session.scalar(
                    select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
                )
            if waiting == 0:
                time.sleep(1.5)  # the worker's pass that applied the last input plans and sends too
                return
            time.sleep(0.2)
        raise AssertionError("the live worker left inputs pending for 60 s")

    def first_round(self, base: str, cast: Cast, ctx: Context) -> list[Input]:
        """Stage by stage, each input first delivered the way its customer's mode says, then applied."""
        delivered: list[Input] = []
        for stage in range(max(len(family.stages) for family in FAMILIES)):
            batch: dict[str, list[Input]] = {mode: [] for mode in MODES}
            for family, mode, person in cast.roles:
                if stage < len(family.stages):
                    batch[mode] += family.stages[stage](person, ctx)
            in_order(base, batch["in order"], self.tally)
            shuffled(base, batch["shuffled"], self.tally, self.rng)
            at_once(base, batch["at once"], self.tally, self.copies, self.together)
            sent = [item for items in batch.values() for item in items]
            self.first_sends += 3 * len(sent) + (self.copies - 3) * len(batch["at once"])
            delivered += sent
            self.apply()
        return delivered

    def again(self, base: str, inputs: list[Input]) -> None:
        shuffled(base, inputs, self.tally, self.rng)
        at_once(base, inputs, self.tally, self.copies, self.together)


def _replay_everything(
    database_url: str,
    tmp_path: Path,
    *,
    instances: int,
    copies: int,
    together: int = 3,
    live: bool = False,
    serving: int = 1,
) -> Tally:
    """Import, key, plan; every input first delivered and applied; then all of them again (and each event
    under a new key), which must change nothing but add the new keys' inbox rows."""
    cast, logs = Cast.of(instances), tmp_path / "logs"
    env = arrears_env(
        database_url,
        outbox_dir=str(tmp_path / "outbox"),
        twilio_auth_token=TWILIO_TOKEN,
        public_base_url=PUBLIC_BASE,
        link_secret=LINK_SECRET,
        worker_poll_seconds="0.2",
        **timeline_settings(),
    )
    portfolio = write_portfolio(tmp_path / "in.csv", cast.people, now())
    run(["import", "invoices", str(portfolio)], env, logs, "import")
    engine = make_engine(database_url)
    replays = Replays(env, logs, session_factory(engine), copies, live, together=together)
    ctx = Context(replays.sessions, create_api_key(env, logs, "events:write", "read", "chat"), LINK_SECRET)
    run(["worker", "--once"], env, logs, "worker")  # the first reminders are planned
    worker = spawn(["worker"], env, logs, "worker") if live else None
    try:
        with served(env, logs, workers=serving) as base:
            delivered = replays.first_round(base, cast, ctx)
            _check_one_effect_each(replays.sessions, cast, delivered)
            with replays.sessions() as session:
                before = effects(session)
            rekeyed = [item.again for item in delivered if item.again is not None]
            replays.again(base, delivered)
            replays.again(base, rekeyed)
            replays.apply()
    finally:
        if worker is not None:
            worker.terminate()
            assert worker.wait(timeout=60) == 0, "arrears worker did not stop cleanly on SIGTERM"
    with replays.sessions() as session:
        after = effects(session)
        assert _inbox(session) == {"done": len(delivered) + len(rekeyed)}
        assert sends(tmp_path / "outbox") == recorded_sent(session), "a message left twice, or unrecorded"
    engine.dispose()
    expected = before | {"inbox_events": before["inbox_events"] + len(rekeyed)}  # each new key is kept
    assert changed(expected, after) == {}, "a replay after everything ended changed rows"
    _check_answers(replays, delivered + rekeyed)
    return replays.tally


def _check_answers(replays: Replays, inputs: list[Input]) -> None:
    """No 5xx, only documented answers, one 202 per event stored, and every delivery answered."""
    tally = replays.tally
    assert tally.server_errors == 0, tally.statuses
    assert tally.unexpected == [], tally.unexpected[:20]
    assert tally.total == replays.first_sends + len(inputs) * (3 + replays.copies), tally.statuses
    assert tally.statuses[202] == sum(item.ok == EVENT_OK for item in inputs), "one 202 per event stored"


def _check_one_effect_each(sessions: sessionmaker[Session], cast: Cast, delivered: list[Input]) -> None:
    """Each input stored once (one inbox row per input, beside the notes of heard message ids), and each
    customer carrying exactly its family's effects."""
    with sessions() as session:
        assert _inbox(session) == {"done": len(delivered)}
        wrong = {}
        for family, mode, person in cast.roles:
            found = footprint(session, person)
            expected = {name: found[name] for name in family.expect}
            if expected != dict(family.expect):
                wrong[f"{family.name} ({mode}) #{person.index}"] = found
        assert wrong == {}, "\n".join(f"{who}: {found}" for who, found in wrong.items())


def _inbox(session: Session) -> dict[str, int]:
    """Stored inputs by status, beside the notes of the message ids heard (one per text, kept done)."""
    query = (
        select(InboxEvent.status, func.count())
        .where(InboxEvent.kind != "message.heard")
        .group_by(InboxEvent.status)
    )
    return {str(status): int(count) for status, count in session.execute(query)}


def test_every_input_delivered_again_has_one_effect_and_no_server_error(
    database_url: str, tmp_path: Path
) -> None:
    """17 families, one customer per way of first delivery, 10 identical copies at once."""
    _replay_everything(database_url, tmp_path, instances=1, copies=10)


@pytest.mark.slow
def test_replays_while_a_live_worker_applies_them_under_two_server_processes(
    database_url: str, tmp_path: Path
) -> None:
    """The deployed shape: two `arrears serve` processes and an `arrears worker` applying inputs while
    their repeats still arrive; two customers per family and mode, 50 requests at once (10 copies of 5
    inputs)."""
    _replay_everything(database_url, tmp_path, instances=2, copies=10, together=5, live=True, serving=2)
