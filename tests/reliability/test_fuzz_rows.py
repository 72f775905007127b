"""Valid-shaped events and import rows at the edges, against real `arrears serve` and `arrears import`.

Properties: the server never answers 5xx and keeps the client's connection; a 422 names the field that was
bad; an accepted event is stored once (a retry is replayed) and, applied by `arrears worker`, stores its
amount exactly, in integer minor units with its currency's exponent. An import of a whole generated file
stores every good row exactly and reports every bad row by line and field, with nothing half-written.
"""

from __future__ import annotations

import csv
import http.client
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from arrears.store.db import make_engine
from tests.reliability.fuzz_rows_support import CURRENCIES, edge_amounts, edge_text, expected_minor, text_ok
from tests.reliability.fuzz_support import create_api_key
from tests.reliability.processes import arrears_env, served, spawn


def _settings(examples: int) -> settings:
    """Reproducible runs (derandomized, no example database) with no deadline: each example is a request."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )


def _event(n: int, currency: str, amount: str, name: str) -> dict[str, Any]:
    return {
        "type": "invoice.created", "customer_external_id": f"ec{n}", "customer_name": name, "country": "US",
        "account_external_id": f"ea{n}", "invoice_external_id": f"ei{n}", "currency": currency,
        "amount": amount, "balance": "0", "issued_on": "2026-01-01", "due_on": "2026-02-01",
    }  # fmt: skip


class Poster:
    """One keep-alive connection; a server that closes it (or answers 5xx) fails the property."""

    def __init__(self, base: str, key: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.connection.connect()
        self.socket, self.key, self.sent = self.connection.sock, key, 0

    def post(self, body: dict[str, Any], idempotency_key: str) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.key}", "Idempotency-Key": idempotency_key}
        headers["Content-Type"] = "application/json"
        self.connection.request("POST", "/v1/events", json.dumps(body).encode(), headers)
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        self.sent += 1
        assert response.status < 500, answer
        assert not response.will_close and self.connection.sock is self.socket, "connection dropped"
        return response.status, answer


def _check_event(poster: Poster, n: int, currency: str, amount: str, name: str) -> int | None:
    """Post one edge event; the minor units it must store if accepted (None when it must be refused)."""
    status, answer = poster.post(_event(n, currency, amount, name), f"edge-{n}")
    minor = expected_minor(amount, currency)
    bad = {"amount"} if minor is None else set()
    bad |= set() if text_ok(name) else {"customer_name"}
    if not bad:
        assert status == 202, answer
        assert poster.post(_event(n, currency, amount, name), f"edge-{n}")[0] == 200  # replayed, not stored
        return minor
    assert status == 422, answer
    assert {e["field"] for e in answer["errors"]} == bad, answer
    return None


def _fuzz_events(database_url: str, tmp_path: Path, examples: int) -> tuple[int, int]:
    env = arrears_env(database_url, outbox_dir=str(tmp_path / "outbox"))
    logs = tmp_path / "logs"
    key = create_api_key(env, logs, "edges", "events:write", "read")
    accepted: dict[str, int] = {}
    with served(env, logs) as base:
        poster = Poster(base, key)

        @_settings(examples)
        @given(st.sampled_from(CURRENCIES), st.data(), edge_text())
        def one(currency: str, data: st.DataObject, name: str) -> None:
            amount = data.draw(st.sampled_from(edge_amounts(currency)))
            n = poster.sent
            minor = _check_event(poster, n, currency, amount, name)
            if minor is not None:
                accepted[f"ei{n}"] = minor

        one()
        for n, currency in enumerate(CURRENCIES, start=10_000):  # every currency's bound, stored exactly
            minor = _check_event(poster, n, currency, edge_amounts(currency)[0], "Top")
            assert minor is not None
            accepted[f"ei{n}"] = minor
        _run(["worker", "--once"], env, logs)
    _assert_stored(database_url, accepted, "ei")
    return poster.sent, len(accepted)


def _run(args: list[str], env: dict[str, str], logs: Path, codes: tuple[int, ...] = (0,)) -> None:
    process = spawn(args, env, logs, args[0])
    assert process.wait(timeout=300) in codes, f"arrears {' '.join(args)} exited {process.returncode}"


def _assert_stored(database_url: str, expected: dict[str, int], prefix: str) -> None:
    """Every accepted invoice stored once with exactly its minor units; nothing else under `prefix`."""
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT external_id, amount_minor FROM invoices WHERE external_id LIKE :p"),
            {"p": f"{prefix}%"},
        ).all()
    engine.dispose()
    assert sorted(rows) == sorted(expected.items())


_IMPORT_HEADER = ["customer_id", "customer_name", "country", "account_id", "invoice_id", "currency"]
_IMPORT_HEADER += ["amount", "balance", "issued_on", "due_on"]


def _import_rows(names: list[str]) -> tuple[list[list[str]], dict[str, int], set[tuple[int, str]]]:
    """Every currency's edge amounts, then the drawn names: the rows, the good ones' minor units by
    invoice id, and the (line, field) of each bad one. A row has at most one bad field."""
    rows: list[list[str]] = []
    good: dict[str, int] = {}
    bad: set[tuple[int, str]] = set()

    def add(currency: str, amount: str, name: str, field: str | None) -> None:
        n = len(rows)
        rows.append(
            [f"rc{n}", name, "US", f"ra{n}", f"ri{n}", currency, amount, "0", "2026-01-01", "2026-02-01"]
        )
        minor = expected_minor(amount, currency)
        if field is None and minor is not None:
            good[f"ri{n}"] = minor
        else:
            bad.add((n + 2, field or "amount"))  # line 1 is the header

    for currency in CURRENCIES:
        for amount in edge_amounts(currency):
            add(currency, amount, "Plain Name", None)
    for name in names:
        add("EUR", "1", name, None if text_ok(name) else "customer_name")
    return rows, good, bad


def _fuzz_import(database_url: str, tmp_path: Path, names: list[str]) -> tuple[int, int]:
    env = arrears_env(database_url, outbox_dir=str(tmp_path / "outbox"))
    rows, good, bad = _import_rows(names)
    path = tmp_path / "edges.csv"
    with path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
        writer = csv.writer(handle)
        writer.writerow(_IMPORT_HEADER)
        writer.writerows(rows)
    errors = tmp_path / "errors.jsonl"
    args = ["import", "invoices", str(path), "--errors", str(errors)]
    _run(args, env, tmp_path / "logs", codes=(1,) if bad else (0,))
    reported = [json.loads(line) for line in errors.read_text().splitlines()] if bad else []
    assert {(e["line"], e["field"]) for e in reported} == bad
    assert len(reported) == len(bad)
    _assert_stored(database_url, good, "ri")
    engine = make_engine(database_url)
    with engine.connect() as conn:  # nothing half-written: no customer or account of a refused row
        customers = conn.execute(text("SELECT count(*) FROM customers WHERE external_id LIKE 'rc%'")).scalar()
        accounts = conn.execute(text("SELECT count(*) FROM accounts WHERE external_id LIKE 'ra%'")).scalar()
    engine.dispose()
    assert customers == accounts == len(good)
    return len(rows), len(bad)


def _figure(capsys: pytest.CaptureFixture[str], database_url: str, line: str) -> None:
    with capsys.disabled():
        print(f"\nfuzz rows ({database_url.split(':', 1)[0]}): {line}")


_NAMES = st.lists(edge_text(), min_size=60, max_size=60)


def test_edge_events_are_stored_exactly_or_refused_naming_the_field(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent, stored = _fuzz_events(database_url, tmp_path, examples=150)
    _figure(capsys, database_url, f"{sent} events posted, {stored} stored exactly, 0 server errors")


def test_an_import_of_edge_rows_stores_the_good_and_names_each_bad(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts: list[tuple[int, int]] = []

    @_settings(1)
    @given(_NAMES)
    def one(names: list[str]) -> None:
        (tmp_path / "import").mkdir(exist_ok=True)
        counts.append(_fuzz_import(database_url, tmp_path / "import", names))

    one()
    rows, bad = counts[0]
    _figure(capsys, database_url, f"1 import of {rows} rows, {bad} reported by line and field")
