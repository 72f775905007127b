"""Named crash points: where the reliability suite kills or pauses a real `arrears` process.

Each point sits where a crash is most dangerous (a send the provider accepted but we have not recorded, a
planning or import transaction about to commit...). A point costs one global read unless the composition
root armed it from ARREARS_FAULT_AT. When the armed point is reached for the nth time, its name is appended
to the marker file (flushed to disk, so a test can prove the point was hit) and the process SIGKILLs or
SIGSTOPs itself: exactly what a power cut or a stalled VM does, at a moment chosen rather than hoped for.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class FaultPoint(StrEnum):
    DISPATCH_AFTER_LEASE = "dispatch.after_lease"  # rows leased and committed, nothing sent yet
    DISPATCH_AFTER_ACCEPT = "dispatch.after_accept"  # the provider accepted one send; no record of it
    DISPATCH_BEFORE_RECORD = "dispatch.before_record"  # a chunk's sends made, their records not committed
    DISPATCH_INSIDE_RECORD = "dispatch.inside_record"  # a chunk's records written and locked, not committed
    RECONCILE_AFTER_LOOKUP = "reconcile.after_lookup"  # the provider answered; the answer is not stored
    PLAN_BEFORE_COMMIT = "plan.before_commit"  # a planning batch written, not committed
    IMPORT_BEFORE_COMMIT = "import.before_commit"  # an import batch written, not committed


class FaultAction(StrEnum):
    KILL = "kill"
    STOP = "stop"


@dataclass(frozen=True)
class FaultPlan:
    point: FaultPoint
    nth: int
    action: FaultAction
    marker: Path

    @classmethod
    def parse(cls, spec: str, marker: Path) -> FaultPlan:
        """`point:nth[:kill|stop]`, e.g. `dispatch.after_accept:3` (SIGKILL on the third time there)."""
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[1].isdigit() or int(parts[1]) < 1:
            raise ValueError(f"fault {spec!r}: expected point:nth[:kill|stop] with nth >= 1")
        try:
            point = FaultPoint(parts[0])
            action = FaultAction(parts[2]) if len(parts) == 3 else FaultAction.KILL
        except ValueError:
            points = ", ".join(p.value for p in FaultPoint)
            raise ValueError(f"fault {spec!r}: points are {points}; actions kill, stop") from None
        return cls(point, int(parts[1]), action, marker)


_armed: FaultPlan | None = None
_hits = 0


def arm(plan: FaultPlan | None) -> None:
    """Arm one point for this process (the composition root, from settings); None disarms."""
    global _armed, _hits
    _armed, _hits = plan, 0


def reach(point: FaultPoint) -> None:
    """Mark that execution got here; fire the armed fault on its nth arrival."""
    global _hits
    if _armed is None or _armed.point is not point:
        return
    _hits += 1
    if _hits != _armed.nth:
        return
    with _armed.marker.open("a") as marker:
        marker.write(f"{point.value} {_hits} {os.getpid()}\n")
        marker.flush()
        os.fsync(marker.fileno())
    os.kill(os.getpid(), signal.SIGKILL if _armed.action is FaultAction.KILL else signal.SIGSTOP)
    with _armed.marker.open("a") as marker:  # only after SIGCONT: the test can tell a stall resumed
        marker.write(f"{point.value} resumed {os.getpid()}\n")
