"""A worker process for the crash test: `run` works until killed, `drain` finishes what is left and exits."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from arrears.channels.local import local_channels
from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SystemClock
from arrears.engine.worker import Worker
from arrears.settings import Settings
from arrears.store.db import make_engine, session_factory


def main(url: str, outbox: str, mode: str) -> None:
    settings = Settings(database_url=url, outbox_dir=Path(outbox), lease_seconds=5, batch_size=10)
    sessions = session_factory(make_engine(url))
    worker = Worker(settings, sessions, SystemClock(), MinimalGate(), dict(local_channels(Path(outbox))))
    if mode == "run":
        while True:
            worker.tick()
            time.sleep(0.01)
    # Drain: wait out any lease the killed worker held (and the reconcile grace), then finish.
    deadline = time.monotonic() + 2 * settings.lease_seconds + 1
    while time.monotonic() < deadline or worker.tick().busy:
        worker.tick()
        time.sleep(0.2)


if __name__ == "__main__":
    main(*sys.argv[1:4])
