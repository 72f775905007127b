"""Reading the feed in tests: on PostgreSQL an event becomes visible once every older transaction on the
server has ended, and other databases' transactions on the same server (other tests, a benchmark) hold
that horizon back for a while; so a test waits for what it expects, within a bound, instead of racing."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from arrears.feed import FeedEvent, read_after


def settled(
    sessions: sessionmaker[Session], done: Callable[[list[FeedEvent]], bool], timeout: float = 60.0
) -> list[FeedEvent]:
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            events = read_after(session, (0, 0), limit=10_000)
        if done(events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)
