"""SIGKILL real `arrears` processes at each instrumented crash point; the sinks must match a clean run.

Each test arms one point (ARREARS_FAULT_AT, arrears.core.faults), proves from its marker that the process
died there, recovers the way an operator would (start the worker again; an hour later for leases and the
strategy's reconcile_after_minutes), and compares every message that left with a run that never crashed:
0 lost, 0 sent twice, every Reg F validation notice a first contact owes. The full profile gate of a
third-party collector decides every send.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.engine.exactly_once_support import sent_interactions, sink_keys, statuses
from tests.reliability.crash_support import Contacts, Run, assert_as_reference, killed
from tests.reliability.processes import run

SEED = 20261202


def _recover(crashed: Run, hours: int = 2) -> None:
    for _ in range(hours):
        crashed.an_hour_later()
        crashed.once()


def _sent_unrecorded(crashed: Run) -> int:
    """Messages in the sinks that the database has no record of yet: the kill fell between the two."""
    return len(sink_keys(crashed.outbox)) - sum(sent_interactions(crashed.sessions()).values())


@pytest.mark.parametrize(
    "point",
    ["dispatch.after_lease", "dispatch.after_accept", "dispatch.before_record", "plan.before_commit"],
)
def test_a_worker_killed_at_each_point_recovers_to_the_clean_run(
    database_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts], point: str
) -> None:
    file, expected = portfolio
    crashed = Run(database_url, tmp_path)
    run(["import", "invoices", str(file)], crashed.env(), crashed.logs, "import")
    nth = random.Random(f"{SEED}-{point}").randint(2, 20) if point == "dispatch.after_accept" else 1
    assert killed(crashed.worker(f"{point}:{nth}")), "the worker did not die at its crash point"
    assert crashed.hit() == [point]
    left = statuses(crashed.sessions())
    if point == "plan.before_commit":
        assert not left, "a planning batch killed before its commit left rows"
    elif point == "dispatch.after_lease":
        assert left["leased"] and not sink_keys(crashed.outbox), "leased, nothing sent"
    else:
        assert _sent_unrecorded(crashed) > 0, "the kill did not fall between a send and its record"
    _recover(crashed)
    assert_as_reference(crashed, expected)


def test_a_kill_inside_reconciliation_recovers_to_the_clean_run(
    database_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts]
) -> None:
    """Killed after a send the provider accepted; an hour later the next worker asks the provider and is
    killed with its answer unrecorded; the one after settles it: one message, its notice, nothing twice."""
    file, expected = portfolio
    crashed = Run(database_url, tmp_path)
    run(["import", "invoices", str(file)], crashed.env(), crashed.logs, "import")
    assert killed(crashed.worker("dispatch.after_accept:3"))
    crashed.an_hour_later()
    assert killed(crashed.worker("reconcile.after_lookup:1"))
    assert crashed.hit() == ["dispatch.after_accept", "reconcile.after_lookup"]
    assert statuses(crashed.sessions())["unknown"] >= 1, "the provider's answer was stored before the kill"
    _recover(crashed)
    assert_as_reference(crashed, expected)


def test_an_import_killed_before_a_batch_commits_is_rerun_to_the_clean_run(
    database_url: str, tmp_path: Path, portfolio: tuple[Path, Contacts]
) -> None:
    file, expected = portfolio
    crashed = Run(database_url, tmp_path)
    assert killed(crashed.import_file(file, "import.before_commit:2"))
    assert crashed.hit() == ["import.before_commit"]
    run(["import", "invoices", str(file)], crashed.env(), crashed.logs, "import")
    crashed.once()
    _recover(crashed)
    assert_as_reference(crashed, expected)
