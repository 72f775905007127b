"""Replay: every inbound entrance delivered again and again to a real `arrears serve`, applied by real
`arrears worker --once` passes, on SQLite and PostgreSQL: one effect each, never a 5xx.

Each family of input (every event type of /v1/events, Twilio's texts, delivery reports and calls, the
payment page, one-click unsubscribe, web chat) runs on customers of its own, each first delivered in one
of three ways: 3 times in a row, 3 times shuffled among all the others, or 10 identical copies at once over
their own connections. Once everything is applied (calls hung up, disputes ended), every input is
delivered again 3 times shuffled and 10 times at once, and not one row anywhere changes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.db import make_engine, session_factory
from arrears.store.models import InboxEvent
from tests.reliability.processes import arrears_env, run, served
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
    shuffled,
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


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine: Engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def _replay_everything(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path, instances: int, copies: int
) -> Tally:
    cast = Cast.of(instances)
    logs = tmp_path / "logs"
    env = arrears_env(
        database_url,
        outbox_dir=str(tmp_path / "outbox"),
        twilio_auth_token=TWILIO_TOKEN,
        public_base_url=PUBLIC_BASE,
        link_secret=LINK_SECRET,
    )
    run(
        ["import", "invoices", str(write_portfolio(tmp_path / "in.csv", cast.people, now()))],
        env,
        logs,
        "import",
    )
    ctx = Context(sessions, create_api_key(env, logs, "events:write", "read", "chat"), LINK_SECRET)
    run(
        ["worker", "--once"], env, logs, "worker"
    )  # plans the first reminders: the messages unsubscribed from
    tally, rng, delivered = Tally(), random.Random(10), []
    with served(env, logs) as base:
        for stage in range(max(len(family.stages) for family in FAMILIES)):
            batch: dict[str, list[Input]] = {mode: [] for mode in MODES}
            for family, mode, person in cast.roles:
                if stage < len(family.stages):
                    batch[mode] += family.stages[stage](person, ctx)
            in_order(base, batch["in order"], tally)
            shuffled(base, batch["shuffled"], tally, rng)
            at_once(base, batch["at once"], tally, copies)
            delivered += [item for items in batch.values() for item in items]
            run(["worker", "--once"], env, logs, "worker")
        _check_one_effect_each(sessions, cast, delivered)
        with sessions() as session:
            before = effects(session)
        shuffled(base, delivered, tally, rng)
        at_once(base, delivered, tally, copies)
        rekeyed = [item.again for item in delivered if item.again is not None]
        shuffled(base, rekeyed, tally, rng)
        at_once(base, rekeyed, tally, copies)
        run(["worker", "--once"], env, logs, "worker")
    with sessions() as session:
        after = effects(session)
        assert _inbox(session) == {"done": len(delivered) + len(rekeyed)}
    expected = before | {"inbox_events": before["inbox_events"] + len(rekeyed)}  # each new key is kept
    assert changed(expected, after) == {}, "a replay after everything ended changed rows"
    assert tally.server_errors == 0, tally.statuses
    assert tally.unexpected == [], tally.unexpected[:20]
    first = sum((copies if mode == "at once" else 3) * len(family.stages) for family, mode, _ in cast.roles)
    assert tally.total == first + (len(delivered) + len(rekeyed)) * (3 + copies), tally.statuses
    events = [item for item in delivered + rekeyed if item.ok == EVENT_OK]
    assert tally.statuses[202] == len(events), "one 202 per event stored, 200 for each repeat"
    return tally


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
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """15 families, one customer per way of first delivery: 10 identical copies at once."""
    _replay_everything(database_url, sessions, tmp_path, instances=1, copies=10)


@pytest.mark.slow
def test_many_inputs_delivered_again_at_higher_concurrency_have_one_effect_each(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Four customers per family and way of first delivery, 20 copies at once."""
    _replay_everything(database_url, sessions, tmp_path, instances=4, copies=20)
