"""Real `arrears` processes for the reliability suite: the installed console script, its whole output kept.

Every process a test starts writes stdout and stderr to one file that is registered with the suite's log
scan (tests/log_scan.py): personal data or a secret in any spawned process's output fails `make test`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.log_scan import SPAWNED_LOGS

ARREARS = Path(sys.executable).with_name("arrears")
ROOT = Path(__file__).resolve().parents[2]


def arrears_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of one `arrears` process: JSON logs, the database, and ARREARS_* settings by name
    (`outbox_dir="..."` becomes ARREARS_OUTBOX_DIR)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    env.update(
        ARREARS_DATABASE_URL=database_url,
        ARREARS_LOG_JSON="true",
        ARREARS_LOG_LEVEL="INFO",
        ARREARS_BUSINESS_NAME=os.environ.get("ARREARS_BUSINESS_NAME", "Acme Test Utilities"),
    )
    env.update({f"ARREARS_{name.upper()}": value for name, value in settings.items()})
    return env


def _log_file(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    index = len(list(directory.glob(f"{name}-*.log")))
    path = directory / f"{name}-{index:03d}.log"
    SPAWNED_LOGS.append(path)
    return path


def spawn(args: list[str], env: Mapping[str, str], logs: Path, name: str) -> subprocess.Popen[bytes]:
    """Start `arrears <args>`; its output goes to a scanned log file under `logs`."""
    out = _log_file(logs, name).open("wb")
    try:
        return subprocess.Popen(
            [str(ARREARS), *args], env=dict(env), cwd=logs, stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        out.close()  # the child holds its own descriptor


def run(args: list[str], env: Mapping[str, str], logs: Path, name: str, timeout: float = 300) -> str:
    """Run `arrears <args>` to the end; its output, or an AssertionError with the output's tail."""
    process = spawn(args, env, logs, name)
    code = process.wait(timeout=timeout)
    output = Path(SPAWNED_LOGS[-1]).read_text(errors="replace")
    assert code == 0, f"arrears {' '.join(args)} exited {code}:\n{output[-4000:]}"
    return output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(env: Mapping[str, str], logs: Path, workers: int = 1) -> Iterator[str]:
    """`arrears serve` on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    server = spawn(["serve", "--port", str(port), "--workers", str(workers)], env, logs, "serve")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "arrears serve exited early (see its log under the test's logs dir)"
        try:
            with urllib.request.urlopen(f"{base}/openapi.json", timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("arrears serve did not start within 60 s")
