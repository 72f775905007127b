"""The long variant: a hundred SIGKILLs of real `arrears worker` processes at seeded crash points, then the
sinks compared with a run that never crashed (slow: CI runs it; minutes per database).

Each hour of the run imports a fresh slice of the portfolio; then round after round a fresh worker is
armed at a point drawn from a seeded generator and killed there. A round whose point is not reached within
20 s (nothing left there to do) is stopped cleanly and counted as a miss. From the second hour on, leases
that died with their worker have run out and the strategy's reconcile_after_minutes has passed: kills
inside reconciliation become possible. The reference imports the same slices at the same hours.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.crash_support import Run, assert_as_reference, reference, write_portfolio
from tests.reliability.processes import run

SEED = 20261202
HOURS, ROUNDS_PER_HOUR, SLICE = 5, 20, 60
DISPATCH = ("dispatch.after_lease", "dispatch.after_accept", "dispatch.before_record")
NOT_REACHED = 20.0  # from the spawn, start-up included: a loaded machine takes seconds to start one


def _round(crashed: Run, point: str, nth: int, tally: Counter[str]) -> None:
    worker = crashed.worker(f"{point}:{nth}")
    try:
        code = worker.wait(timeout=NOT_REACHED)
    except subprocess.TimeoutExpired:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=120)
    if code == -signal.SIGKILL:
        tally[point] += 1
    else:
        assert code == 0, f"worker exited {code}"
        tally["missed"] += 1


def _hour(crashed: Run, hour: int, rng: random.Random, tally: Counter[str]) -> None:
    """The first round plans the new slice (killed in planning); later ones are drawn from the seed."""
    for index in range(ROUNDS_PER_HOUR):
        if index == 0:
            point, nth = "plan.before_commit", 1
        elif index == 1 and hour > 0:
            point, nth = "reconcile.after_lookup", rng.randint(1, 3)
        else:
            point, nth = rng.choice(DISPATCH), rng.randint(1, 3)
        _round(crashed, point, nth, tally)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_hundred_kills_at_seeded_points_lose_nothing_and_send_nothing_twice(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [write_portfolio(tmp_path / f"slice-{h}.csv", SLICE, first=h * SLICE) for h in range(HOURS)]
    expected = reference(tmp_path / "reference", *files)
    crashed = Run(database_url, tmp_path / "crashed", batch=5)
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    for hour, file in enumerate(files):
        if hour:
            crashed.an_hour_later()
        run(["import", "invoices", str(file)], crashed.env(), crashed.logs, "import")
        _hour(crashed, hour, rng, tally)
    for _ in range(2):
        crashed.an_hour_later()
        crashed.once()
    kills = sum(n for point, n in tally.items() if point != "missed")
    assert kills == len(crashed.hit()), "every kill recorded its point first"
    figures = {"database": database_url.split(":")[0], "kills": kills, **tally}
    (tmp_path / "figures.json").write_text(json.dumps(figures))
    with capsys.disabled():  # the figures belong in CI's log, not only in a failure's report
        print("\nmany kills:", json.dumps(figures))
    assert all(tally[point] for point in ("plan.before_commit", "reconcile.after_lookup", *DISPATCH)), tally
    assert kills >= 70, tally
    assert_as_reference(crashed, expected)
