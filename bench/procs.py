"""Helpers the service benchmarks share: scratch databases, processes started and stopped, CPU from /proc.

CPU is read from /proc (utime + stime), so it is what each process really used on this machine whatever
else shares the cores; PostgreSQL runs on the same machine here, so its backends can be read the same way
and told apart by `application_name` (each process under test connects with its own).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "ARREARS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_TICK = os.sysconf("SC_CLK_TCK")


@contextmanager
def scratch_database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh SQLite file in `folder`, or a PostgreSQL database created here and dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    name = f"arrears_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def with_app_name(url: str, name: str) -> str:
    """The URL with a PostgreSQL application_name, so the backends of each process can be told apart."""
    if not url.startswith("postgresql"):
        return url
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


def process_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's supervisor and its worker processes)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += [int(child) for child in children]
    return found


class TreeCpu:
    """CPU of a process tree, remembering every pid ever seen so a worker that exits is not lost."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.last: dict[int, float] = {}

    def sample(self) -> float:
        for pid in tree(self.root):
            seconds = process_cpu(pid)
            if seconds >= self.last.get(pid, 0.0):
                self.last[pid] = seconds
        return sum(self.last.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until something accepts connections on the port; raises if the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {seconds:.0f} s")


@contextmanager
def started(command: Sequence[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a command for the duration of the block; SIGTERM (then SIGKILL after 20 s) when it ends."""
    with log.open("ab") as sink:
        process = subprocess.Popen(list(command), env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def temp_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix)


class BackendCpu:
    """CPU of one database's PostgreSQL backends by application_name, since `start()`.

    Sampled again and again through one monitoring connection: a pooled connection that closes during the
    run keeps the CPU it was last seen with (what it used after that last sample is lost: sample often).
    """

    def __init__(self, url: str) -> None:
        import psycopg

        plain = with_app_name(url, "bench-monitor").replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(plain, autocommit=True)
        self.base: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}

    def start(self) -> None:
        self.last = {}
        self.base = {pid: seconds for pid, (_, seconds) in self._read().items()}

    def sample(self) -> None:
        for pid, (name, seconds) in self._read().items():
            self.last[pid] = (name, seconds)

    def by_name(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, (name, seconds) in self.last.items():
            totals[name] = totals.get(name, 0.0) + max(0.0, seconds - self.base.get(pid, 0.0))
        return totals

    def close(self) -> None:
        self.conn.close()

    def _read(self) -> dict[int, tuple[str, float]]:
        rows = self.conn.execute(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return {int(pid): (str(name), process_cpu(int(pid))) for pid, name in rows}
