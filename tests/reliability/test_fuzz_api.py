"""schemathesis over the served /openapi.json: every phase (examples, coverage, fuzzing, stateful through
the document's links) against a real `arrears serve` on a seeded database, with 0 server errors and 0
responses that break the document (undocumented status, wrong content type, headers or body).

The real `schemathesis run` CLI drives the server, so what runs here is what anyone can run against a
deployment; its JSON report gives the figures. Its own output holds the generated data (fake but shaped
like personal data) and is kept beside the test's logs, not in the scanned ones; the server's is scanned.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reliability.fuzz_support import ALL_SCOPES, create_api_key, seed
from tests.reliability.processes import arrears_env, served

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: No 5xx, and every response as the document says: status, content type, headers, body.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@dataclass(frozen=True)
class Figures:
    """What one schemathesis run did, from its JSON report."""

    generated: int
    with_failures: int
    errored: int
    operations: int
    phases: dict[str, str]
    failures: list[dict[str, Any]]
    scenarios: str = "?"
    links: str = "?"

    @classmethod
    def of(cls, report: dict[str, Any], output: str) -> Figures:
        """From the JSON report, and the stateful figures the report lacks from the printed summary."""
        cases = report["test_cases"]
        scenarios = re.search(r"Scenarios:\s+(\d+)", output)
        links = re.search(r"API Links:\s+(\d+ covered / \d+)", output)
        return cls(
            scenarios=scenarios.group(1) if scenarios else "?",
            links=links.group(1) if links else "?",
            generated=cases["generated"],
            with_failures=cases["with_failures"],
            errored=cases["errored"] + len(report["errors"]),
            operations=report["operations"]["tested"],
            phases={name: phase["status"] for name, phase in report["phases"].items()},
            failures=report["failures"],
        )

    def line(self, database: str) -> str:
        codes = {f["code"]: f["count"] for f in self.failures}
        server = codes.get("ST101", 0)  # schemathesis' code for a 5xx
        return (
            f"fuzz api ({database}): {self.generated} cases over {self.operations} operations"
            f" ({self.scenarios} stateful scenarios, {self.links} links followed),"
            f" phases {', '.join(f'{k} {v}' for k, v in self.phases.items())};"
            f" {server} server errors, {sum(codes.values()) - server} schema violations"
        )


def _schemathesis(base: str, key: str, out: Path, max_examples: int, seed_value: int) -> Figures:
    report = out / "schemathesis.json"
    args = [str(SCHEMATHESIS), "run", f"{base}/openapi.json", "--max-examples", str(max_examples)]
    args += ["--header", f"Authorization: Bearer {key}", "--checks", CHECKS, "--workers", "1"]
    args += ["--phases", "examples,coverage,fuzzing,stateful"]
    args += ["--seed", str(seed_value), "--generation-database", "none"]
    args += ["--report", "json", "--report-json-path", str(report), "--no-color", "--output-truncate", "true"]
    with (out / "schemathesis.out").open("wb") as sink:
        done = subprocess.run(args, cwd=out, stdout=sink, stderr=subprocess.STDOUT, timeout=600)
    output = (out / "schemathesis.out").read_text(errors="replace")
    tail = output[-6000:]
    assert report.exists(), f"schemathesis exited {done.returncode} without a report:\n{tail}"
    figures = Figures.of(json.loads(report.read_text()), output)
    assert done.returncode == 0 and figures.with_failures == 0 and figures.errored == 0, tail
    return figures


def _fuzz(database_url: str, tmp_path: Path, max_examples: int, seed_value: int) -> Figures:
    env = arrears_env(database_url, outbox_dir=str(tmp_path / "outbox"))
    logs = tmp_path / "logs"
    key = create_api_key(env, logs, "fuzz", *ALL_SCOPES)
    with served(env, logs) as base:
        seed(env, logs, base, key)
        figures = _schemathesis(base, key, tmp_path, max_examples, seed_value)
        alive = httpx.get(f"{base}/v1/cases", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert alive.status_code == 200, alive.text  # the server is still up and answering
    served_log = "\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("serve-*.log")))
    assert "unhandled" not in served_log, served_log[-4000:]
    return figures


def _report(capsys: pytest.CaptureFixture[str], database_url: str, figures: Figures) -> None:
    with capsys.disabled():
        print(f"\n{figures.line(database_url.split(':', 1)[0])}")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = _fuzz(database_url, tmp_path, max_examples=25, seed_value=20261202)
    assert figures.operations == 14 and figures.phases["stateful"] == "success", figures
    assert figures.generated > 1000, figures
    _report(capsys, database_url, figures)


@pytest.mark.slow
def test_schemathesis_at_length_finds_no_server_error_and_no_schema_violation(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = _fuzz(database_url, tmp_path, max_examples=150, seed_value=1010)
    assert figures.operations == 14 and figures.phases["stateful"] == "success", figures
    assert figures.generated > 4000, figures
    _report(capsys, database_url, figures)
