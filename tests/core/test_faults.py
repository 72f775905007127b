"""Crash points fire only where and when armed, record the hit first, and refuse what would never fire."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from arrears.core import faults
from arrears.core.clock import StartedClock
from arrears.core.faults import FaultAction, FaultPlan, FaultPoint
from arrears.settings import Settings
from tests.engine.exactly_once_support import process_state

CHILD = """
import sys
from pathlib import Path
from arrears.core import faults
from arrears.core.faults import FaultPlan, FaultPoint
faults.arm(FaultPlan.parse(sys.argv[1], Path(sys.argv[2])))
for n in range(1, 6):
    faults.reach(FaultPoint.PLAN_BEFORE_COMMIT)
    faults.reach(FaultPoint.DISPATCH_AFTER_ACCEPT)
    print(n, flush=True)
"""


def _child(spec: str, marker: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, spec, str(marker)], capture_output=True, text=True, timeout=60
    )


def test_the_nth_arrival_at_the_armed_point_kills_the_process_after_recording_it(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    done = _child("dispatch.after_accept:3", marker)
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["1", "2"], "two full passes, killed inside the third"
    point, nth, pid = marker.read_text().split()
    assert (point, nth) == ("dispatch.after_accept", "3") and pid.isdigit()


def test_a_stop_fault_pauses_the_process_and_it_goes_on_when_continued(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "plan.before_commit:2:stop", str(marker)],
        stdout=subprocess.PIPE,
        text=True,
    )
    while process_state(child.pid) != "T":  # the marker is written first, then the process stops itself
        assert child.poll() is None
    os.kill(child.pid, signal.SIGCONT)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0 and out.split() == ["1", "2", "3", "4", "5"]
    assert marker.read_text().splitlines()[-1].startswith("plan.before_commit resumed")


def test_an_unarmed_point_does_nothing() -> None:
    faults.arm(None)
    faults.reach(FaultPoint.IMPORT_BEFORE_COMMIT)  # returns: this test process lives on


@pytest.mark.parametrize("spec", ["dispatch.after_acept:1", "plan.before_commit:0", "plan.before_commit"])
def test_a_fault_that_could_never_fire_is_refused_with_the_points_named(spec: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"point:nth|points are"):
        FaultPlan.parse(spec, tmp_path / "m")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, fault_at=spec, fault_marker=tmp_path / "m")


def test_a_fault_needs_a_marker_file_to_prove_it_fired() -> None:
    with pytest.raises(ValidationError, match="ARREARS_FAULT_MARKER"):
        Settings(_env_file=None, fault_at="plan.before_commit:1")


def test_parse_defaults_to_kill() -> None:
    plan = FaultPlan.parse("reconcile.after_lookup:2", Path("m"))
    assert (plan.point, plan.nth, plan.action) == (FaultPoint.RECONCILE_AFTER_LOOKUP, 2, FaultAction.KILL)


def test_a_started_clock_reads_its_start_and_then_moves_at_real_speed() -> None:
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    clock = StartedClock(start)
    first = clock.now()
    assert timedelta(0) <= first - start < timedelta(seconds=5)
    assert clock.now() >= first and clock.now().tzinfo is not None


def test_clocks_given_one_start_and_anchor_share_one_timeline() -> None:
    anchor = datetime.now(UTC) - timedelta(minutes=5)  # as if the first process started five minutes ago
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    later = StartedClock(start, anchor).now()
    assert timedelta(minutes=5) <= later - start < timedelta(minutes=5, seconds=5)
