"""SIGKILL `arrears import invoices` mid-file, run it again, and get exactly what one clean run stores."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select

from arrears.store.db import make_engine, normalise_url
from arrears.store.migrate import upgrade
from arrears.store.models import Account, Case, Consent, ContactPoint, Customer, Invoice
from tests.ingest.helpers import HEADER, scalar

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 3_000
INVOICES_PER_ACCOUNT = 4
BATCH = 500


def _portfolio(path: Path, seed: int = 11) -> Path:
    """One customer per account, four invoices each: some paid, most overdue, a few not yet due."""
    rng = random.Random(seed)
    today = date(2026, 11, 22)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for a in range(ACCOUNTS):
            for n in range(INVOICES_PER_ACCOUNT):
                amount = rng.randint(1_000, 500_000)
                due = today + timedelta(days=rng.randint(-90, 20))
                writer.writerow(
                    {
                        "customer_id": f"C{a}",
                        "customer_name": f"Customer {a}",
                        "customer_kind": rng.choice(["person", "business"]),
                        "email": f"c{a}@example.com",
                        "phone": f"+1212555{a:04d}",
                        "phone_kind": "mobile",
                        "time_zone": "America/New_York",
                        "country": "US",
                        "account_id": f"A{a}",
                        "invoice_id": f"I{a}-{n}",
                        "invoice_number": f"INV-{a}-{n}",
                        "currency": "USD",
                        "amount": f"{amount / 100:.2f}",
                        "balance": "0" if rng.random() < 0.1 else f"{amount / 100:.2f}",
                        "issued_on": (due - timedelta(days=30)).isoformat(),
                        "due_on": due.isoformat(),
                        "sms_consent": "yes",
                        "email_consent": "yes",
                        "agency_placement_allowed": "false",
                    }
                )
    return path


def _import(url: str, path: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        "from arrears.cli.main import app; app()",
        "import",
        "invoices",
        str(path),
        "--database",
        url,
        "--batch-size",
        str(BATCH),
    ]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What the import stored, by external identity (internal ids are random, so they differ per run)."""
    customer = select(Customer.id, Customer.external_id).subquery()
    account = select(Account.id, Account.external_id).subquery()
    queries = {
        "customers": select(
            Customer.external_id, Customer.name, Customer.kind, Customer.time_zone, Customer.country
        ),
        "accounts": select(
            Account.external_id, customer.c.external_id, Account.agency_placement_allowed
        ).join(customer, customer.c.id == Account.customer_id),
        "invoices": select(
            Invoice.external_id,
            account.c.external_id,
            Invoice.number,
            Invoice.currency,
            Invoice.amount_minor,
            Invoice.balance_minor,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.status,
        ).join(account, account.c.id == Invoice.account_id),
        "cases": select(
            account.c.external_id,
            Case.status,
            Case.currency,
            Case.balance_minor,
            Case.opening_balance_minor,
            Case.oldest_due_on,
            Case.strategy_name,
        ).join(account, account.c.id == Case.account_id),
        "contact_points": select(
            customer.c.external_id, ContactPoint.channel, ContactPoint.value, ContactPoint.kind
        ).join(customer, customer.c.id == ContactPoint.customer_id),
        "consents": select(
            customer.c.external_id, Consent.channel, Consent.destination, Consent.source, Consent.revoked_at
        ).join(customer, customer.c.id == Consent.customer_id),
    }
    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(query)), key=lambda r: tuple(map(str, r)))
            for name, query in queries.items()
        }


def test_a_killed_import_resumes_to_exactly_the_clean_result(database_url: str, tmp_path: Path) -> None:
    path = _portfolio(tmp_path / "invoices.csv")
    total = ACCOUNTS * INVOICES_PER_ACCOUNT
    engine = make_engine(database_url)
    # Watched through a plain engine: ours begins SQLite transactions IMMEDIATE (for writers), which would
    # make the watcher queue for the write lock behind the import instead of reading between its batches.
    watcher = create_engine(normalise_url(database_url))

    # Kill it once some batches are committed and before the last one is.
    process = _import(database_url, path)
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        stored = scalar(watcher, "SELECT count(*) FROM invoices")
        if stored >= 3 * BATCH:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    killed_at = scalar(watcher, "SELECT count(*) FROM invoices")
    watcher.dispose()
    assert 0 < killed_at < total
    assert killed_at % BATCH == 0  # whole batches only: nothing half-written

    # Run the same file again: it completes, and a third run changes nothing.
    for _ in range(2):
        again = _import(database_url, path)
        _, stderr = again.communicate(timeout=600)
        assert again.returncode == 0, stderr.decode()[-2000:]
    resumed = _state(engine)
    engine.dispose()

    # One clean run into a fresh SQLite file gives the same stored state.
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    clean_engine = make_engine(clean_url)
    upgrade(clean_engine)
    clean = _import(clean_url, path)
    _, stderr = clean.communicate(timeout=600)
    assert clean.returncode == 0, stderr.decode()[-2000:]
    expected = _state(clean_engine)
    clean_engine.dispose()

    assert len(expected["invoices"]) == total
    assert len(expected["cases"]) > ACCOUNTS // 2
    assert resumed == expected
