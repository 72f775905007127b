"""What the crash and stall tests share: a US portfolio as an import file, one timeline for every process,
real `arrears` runs with a crash point armed, and the comparison with a run that never crashed.

Every process is started on one timeline: `START` plus the real time since the test began, plus the jumps
the test made ("an hour later": leases ran out, the strategy's reconcile_after_minutes has passed). A
process keeps the clock it was started with, as a real one would keep the wall clock.
"""

from __future__ import annotations

import csv
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from arrears.store.db import make_engine, session_factory
from tests.engine.exactly_once_support import sent_interactions, sink_contacts, sink_keys, statuses
from tests.reliability.processes import arrears_env, run, spawn

#: 11:00 in Albany on a Tuesday: every customer's 08-21 window is open for the next few hours.
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NOTICE = "validation-notice"
AN_HOUR = timedelta(minutes=62)  # past the 5 s lease and the strategy's 60 reconcile_after_minutes
COLUMNS = (
    "customer_id,customer_name,email,phone,phone_kind,time_zone,country,state,city,postal_code,"
    "address_line1,account_id,invoice_id,currency,amount,balance,issued_on,due_on,"
    "email_consent,sms_consent"
).split(",")

Contacts = Counter[tuple[str, str, str]]


def write_portfolio(path: Path, count: int, *, sms_every: int = 4, first: int = 0) -> Path:
    """`count` New York State consumers with e-mail and mobile, 2 days overdue (an e-mail is due), or 4 days
    for every `sms_every`-th (an e-mail and a text): the full Reg F gate owes each a validation notice."""
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for i in range(first, first + count):
            days = 4 if sms_every and i % sms_every == 0 else 2
            due = START.date() - timedelta(days=days)
            person = [f"C{i:05d}", f"Pat Debtor{i}", f"debtor{i}@example.com", f"+1518555{i:04d}", "mobile"]
            place = ["America/New_York", "US", "NY", "Albany", "12207", f"{i + 1} State Street"]
            invoice = [f"A{i:05d}", f"INV-{i:05d}", "USD", "240.00", "240.00"]
            dates = [(due - timedelta(days=30)).isoformat(), due.isoformat(), "yes", "yes"]
            out.writerow([*person, *place, *invoice, *dates])
    return path


@dataclass
class Run:
    """One test's processes on one database: shared timeline, outbox and log directory."""

    url: str
    root: Path
    anchor: float = field(default_factory=time.time)
    jumped: timedelta = timedelta(0)
    batch: int = 25  # rows a worker leases at once: a kill strands at most this many for an hour
    markers: list[Path] = field(default_factory=list)

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def now(self) -> datetime:
        return START + timedelta(seconds=time.time() - self.anchor) + self.jumped

    def an_hour_later(self) -> None:
        self.jumped += AN_HOUR

    def env(self, fault: str | None = None, **settings: str) -> dict[str, str]:
        values = {
            "outbox_dir": str(self.outbox),
            "clock_start": self.now().isoformat(),
            "collector_kind": "third_party",
            "gate": "profiles",
            "lease_seconds": "5",
            "batch_size": str(self.batch),
            "worker_poll_seconds": "0.2",
            **settings,
        }
        if fault is not None:
            marker = self.root / f"fault-{len(self.markers)}.txt"
            self.markers.append(marker)
            values |= {"fault_at": fault, "fault_marker": str(marker)}
        return arrears_env(self.url, **values)

    def import_file(self, file: Path, fault: str | None = None) -> subprocess.Popen[bytes]:
        args = ["import", "invoices", str(file), "--batch-size", "10"]
        return spawn(args, self.env(fault), self.logs, "import")

    def once(self) -> str:
        """`arrears worker --once`: every stage until nothing is left to do at this instant."""
        return run(["worker", "--once"], self.env(), self.logs, "worker-once")

    def worker(self, fault: str | None = None, **settings: str) -> subprocess.Popen[bytes]:
        return spawn(["worker"], self.env(fault, **settings), self.logs, "worker")

    def hit(self) -> list[str]:
        """The crash points that fired, from the markers (`point nth pid`)."""
        lines = [line for m in self.markers if m.exists() for line in m.read_text().splitlines()]
        return [line.split()[0] for line in lines if "resumed" not in line]

    def sessions(self) -> sessionmaker[Session]:
        return session_factory(make_engine(self.url))


def killed(process: subprocess.Popen[bytes], seconds: float = 120) -> bool:
    """Wait for a process armed to kill itself; True when it died of SIGKILL."""
    try:
        return process.wait(timeout=seconds) == -9
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False


def reference(root: Path, *files: Path, hours: int = 2) -> Contacts:
    """What a run that never crashes sends for the portfolio (SQLite): one file imported and worked each
    hour (`--once`), then `--once` each hour after."""
    clean = Run(f"sqlite:///{root / 'reference.db'}", root)
    for index, file in enumerate(files):
        if index:
            clean.an_hour_later()
        run(["import", "invoices", str(file)], clean.env(), clean.logs, "import")
        clean.once()
    for _ in range(hours):
        clean.an_hour_later()
        clean.once()
    contacts = sink_contacts(clean.outbox, clean.sessions())
    assert contacts and max(contacts.values()) == 1, "the reference itself sent something twice"
    return contacts


def assert_as_reference(run_: Run, expected: Contacts) -> None:
    """0 duplicated, 0 lost, every send recorded once, every first contact's validation notice sent."""
    sessions = run_.sessions()
    duplicates = [key for key, n in sink_keys(run_.outbox).items() if n > 1]
    assert duplicates == [], f"sent twice: {duplicates[:5]}"
    contacts = sink_contacts(run_.outbox, sessions)
    assert contacts == expected, {"missing": expected - contacts, "extra": contacts - expected}
    left = statuses(sessions)
    assert set(left) <= {"sent", "cancelled", "skipped"}, f"rows not settled: {left}"
    assert max(sent_interactions(sessions).values()) == 1, "one send recorded twice"
    notices = {dest for dest, step, _ in contacts if step == NOTICE}
    first = {dest for dest, step, channel in contacts if step != NOTICE and channel == "email"}
    assert first and first <= notices, "a first contact without its validation notice"
