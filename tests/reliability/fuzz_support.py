"""What the fuzzers share: an API key from the real CLI, and a database seeded through the real `arrears
import` and `arrears worker` so the read and work endpoints return real cases, tasks and holds."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.log_scan import SPAWNED_LOGS
from tests.reliability.processes import ARREARS, run

ALL_SCOPES = ("events:write", "read", "work", "chat")
SEED_HEADER = [
    "customer_id", "customer_name", "customer_kind", "email", "phone", "phone_kind", "time_zone", "country",
    "state", "postal_code", "account_id", "invoice_id", "currency", "amount", "balance", "issued_on",
    "due_on", "sms_consent", "email_consent",
]  # fmt: skip
#: What the seeded customers answer, so the worker opens a dispute task, a hold and an outcome or two.
REPLIES = (
    "I dispute this invoice, I never received the goods",
    "I can pay 50 on friday",
    "I lost my job and cannot pay right now",
    "STOP",
)


def create_api_key(env: Mapping[str, str], logs: Path, name: str, *scopes: str) -> str:
    """`arrears api-key create`: the key (printed once on stdout, by design) stays out of the scanned log;
    everything else the process says goes to a scanned log."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"api-key-{len(list(logs.glob('api-key-*.log'))):03d}.log"
    SPAWNED_LOGS.append(log)
    args = [str(ARREARS), "api-key", "create", name, *(a for s in scopes for a in ("--scope", s))]
    with log.open("wb") as err:
        done = subprocess.run(args, env=dict(env), cwd=logs, stdout=subprocess.PIPE, stderr=err, timeout=120)
    assert done.returncode == 0, log.read_text(errors="replace")[-2000:]
    return done.stdout.decode().split()[0]


def seed_phone(n: int) -> str:
    return f"+1415555{n:04d}"


def write_seed(path: Path, count: int) -> Path:
    """`count` overdue US customers, one invoice each, with a phone that consents to texts."""
    today = datetime.now(UTC).date()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SEED_HEADER)
        for n in range(count):
            due = today - timedelta(days=10 + n)
            customer = [f"C{n}", f"Customer {n}", "person", f"c{n}@example.com", seed_phone(n), "mobile"]
            place = ["America/New_York", "US", "NY", "10001"]
            amount, issued = f"{100 + n}.25", (due - timedelta(days=30)).isoformat()
            invoice = [f"A{n}", f"I{n}", "USD", amount, amount, issued, due.isoformat(), "yes", "yes"]
            writer.writerow([*customer, *place, *invoice])
    return path


def seed(env: Mapping[str, str], logs: Path, base: str, key: str, count: int = 24) -> None:
    """Import `count` customers, relay a reply from each, and let one worker pass apply it all: tasks and
    holds enough that the fuzzer's claims and releases do not use them all up before its stateful phase."""
    run(["import", "invoices", str(write_seed(logs / "seed.csv", count))], env, logs, "import")
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for n in range(count):
            text = REPLIES[n % len(REPLIES)]
            body = {"type": "message.received", "message_id": f"seed-{n}", "channel": "sms"}
            body |= {"sender": seed_phone(n), "text": text}
            answer = client.post("/v1/events", json=body, headers={"Idempotency-Key": f"seed-{n}"})
            assert answer.status_code == 202, answer.text
    run(["worker", "--once"], env, logs, "worker")
