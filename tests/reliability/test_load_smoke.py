"""The load benchmark (bench/load_bench.py) runs end to end: a few seconds of load on SQLite against a real
`arrears serve` and the floor, every request answered 2xx and every answered request stored.

Not a timing test: the figures depend on the machine. It proves the bench that docs/benchmarks.md quotes
still works (the seeded import, the key, the signed webhooks, the floor's row) and that a short burst of
concurrent events and texts loses nothing. The servers' logs (INFO: one access line per request) join the
suite's log scan.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.log_scan import SPAWNED_LOGS
from tests.reliability.processes import ROOT


def test_a_short_load_is_answered_and_stored_in_full(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    command = [sys.executable, str(ROOT / "bench" / "load_bench.py"), "--db", "sqlite", "--seconds", "1.5",
               "--warmup", "0.5", "--accounts", "100", "--clients", "3", "--log-level", "INFO", "--json",
               "--logs", str(logs)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    SPAWNED_LOGS.extend(sorted(logs.glob("*.log")))
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(done.stdout.splitlines()[-1])["results"]
    for name in ("arrears events", "floor events", "arrears webhooks", "floor webhooks"):
        row = results[name]
        assert row["requests"] > 0, name
        assert (row["errors"], row["lost"]) == (0, 0), (name, row)
        assert row["accepted"] == row["requests"], (name, row)
    assert {"ratio events", "ratio webhooks"} <= results.keys()
