"""Shared helpers for the import tests: write files, run the importer, dump the database."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from arrears.core.clock import SimulatedClock
from arrears.ingest import ImportReport, RowError, import_invoices
from arrears.store.base import Base

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

HEADER = [
    "customer_id", "customer_name", "customer_kind", "email", "phone", "phone_kind", "time_zone", "country",
    "account_id", "invoice_id", "invoice_number", "currency", "amount", "balance", "issued_on", "due_on",
    "sms_consent", "email_consent", "agency_placement_allowed",
]  # fmt: skip


def row(**overrides: str) -> dict[str, str]:
    base = {
        "customer_id": "C1",
        "customer_name": "Acme Ltd",
        "customer_kind": "business",
        "email": "ap@acme.example",
        "phone": "+15550100001",
        "phone_kind": "work",
        "time_zone": "America/New_York",
        "country": "US",
        "account_id": "A1",
        "invoice_id": "I1",
        "invoice_number": "INV-1",
        "currency": "EUR",
        "amount": "1,234.56",
        "balance": "1234.56",
        "issued_on": "2026-09-01",
        "due_on": "2026-10-01",
        "sms_consent": "yes",
        "email_consent": "",
        "agency_placement_allowed": "true",
    }
    return base | overrides


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in rows:
            handle.write(json.dumps({k: v for k, v in item.items() if v != ""}) + "\n")
    return path


def run(engine: Engine, path: Path, **options: Any) -> tuple[ImportReport, list[RowError]]:
    errors: list[RowError] = []
    options.setdefault("clock", SimulatedClock(NOW))
    report = import_invoices(
        engine, path, resolve_strategy=lambda name: (name or "b2b", 1), on_error=errors.append, **options
    )
    return report, errors


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: the whole stored state."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            state[table.name] = sorted(
                (tuple(r) for r in conn.execute(select(table))), key=lambda r: tuple(map(str, r))
            )
    return state


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()
