"""Exports on SQLite and PostgreSQL: the documented columns, UTC and local times, gate decisions."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.export import COLUMNS, export

AT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 09:30 in New York


def _seed(sessions: sessionmaker[Session]) -> None:
    from arrears.store.models import Account, Case, Customer, Interaction, Outcome, Task

    allow = {"verdict": "allow", "reasons": [{"rule_id": "us.tcpa.hours", "source": "x", "message": "ok"}]}
    deny = {"verdict": "deny", "reasons": [{"rule_id": "optout", "source": "x", "message": "no"}]}
    contact = {"case_id": "ca1", "customer_id": "cu1"}
    records: list[object] = [
        Customer(
            id="cu1", source_system="erp", external_id="C-1", name="Ada", time_zone="America/New_York",
            created_at=AT, updated_at=AT,
        ),
        Account(id="ac1", customer_id="cu1", source_system="erp", external_id="A-1", created_at=AT),
        Case(
            id="ca1", account_id="ac1", customer_id="cu1", strategy_name="b2b", strategy_version=1,
            currency="EUR", balance_minor=5000, opening_balance_minor=5000, oldest_due_on=date(2026, 10, 1),
            opened_at=AT, updated_at=AT,
        ),
        Interaction(
            id="in1", **contact, channel="sms", direction="outbound", destination="+15550100001",
            destination_kind="mobile", status="delivered", planned_at=AT - timedelta(minutes=5),
            occurred_at=AT, decision=allow,
        ),
        Interaction(
            id="in2", **contact, channel="email", direction="outbound", destination="ada@example.org",
            status="refused", occurred_at=AT + timedelta(days=1), decision=deny,
        ),
        Interaction(
            id="in3", **contact, channel="sms", direction="inbound", status="received",
            occurred_at=AT + timedelta(hours=1),
        ),
        Outcome(
            id="ou1", idempotency_key="k1", case_id="ca1", interaction_id="in1", labels=["promise", "polite"],
            promise_on=date(2026, 12, 1), promise_amount_minor=2550, currency="EUR", routing="booked",
            created_at=AT,
        ),
        Task(
            id="ta1", case_id="ca1", idempotency_key="t1", reason="dispute", due_at=AT + timedelta(days=2),
            created_at=AT, summary="customer disputes the amount",
        ),
    ]  # fmt: skip
    with sessions() as session, session.begin():
        for record in records:  # one by one: the models declare no relationships to order inserts by
            session.add(record)
            session.flush()


def _csv(engine: Engine, kind: str, **options: datetime) -> list[dict[str, str]]:
    out = io.StringIO()
    export(engine, kind, out, fmt="csv", **options)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def test_attempts_carry_utc_and_local_times_and_the_gate_decision(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    _seed(sessions)
    rows = _csv(engine, "attempts")
    assert [r["attempt_id"] for r in rows] == ["in1", "in2"]  # outbound only, oldest first
    first, refused = rows
    assert first["case_id"] == "ca1" and first["customer_external_id"] == "C-1"
    assert (first["channel"], first["destination"], first["status"]) == ("sms", "+15550100001", "delivered")
    assert first["planned_at_utc"] == "2026-11-20T14:25:00Z"
    assert first["attempted_at_utc"] == "2026-11-20T14:30:00Z"
    assert first["time_zone"] == "America/New_York"
    assert first["attempted_at_local"] == "2026-11-20T09:30:00-05:00"
    assert (first["verdict"], first["rule_ids"]) == ("allow", "us.tcpa.hours")
    assert (refused["status"], refused["verdict"], refused["rule_ids"]) == ("refused", "deny", "optout")
    assert refused["planned_at_utc"] == ""


def test_jsonl_keeps_lists_and_nulls_and_window_filters(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    _seed(sessions)
    out = io.StringIO()
    count = export(
        engine, "attempts", out, fmt="jsonl", since=AT + timedelta(hours=1), until=AT + timedelta(days=2)
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == 1 and [line["attempt_id"] for line in lines] == ["in2"]
    assert lines[0]["rule_ids"] == ["optout"] and lines[0]["planned_at_utc"] is None
    assert list(lines[0]) == list(COLUMNS["attempts"])


def test_outcomes_and_tasks(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    (outcome,) = _csv(engine, "outcomes")
    assert (outcome["customer_id"], outcome["routing"], outcome["labels"]) == (
        "cu1",
        "booked",
        "promise;polite",
    )
    assert (outcome["promise_on"], outcome["promise_amount"], outcome["currency"]) == (
        "2026-12-01",
        "25.50",
        "EUR",
    )
    (task,) = _csv(engine, "tasks")
    assert (task["reason"], task["status"], task["due_at_utc"]) == ("dispute", "open", "2026-11-22T14:30:00Z")
    assert task["closed_at_utc"] == ""
    assert _csv(engine, "tasks", until=AT) == []


def test_cli_export_to_file(database_url: str, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions)
    target = tmp_path / "attempts.jsonl"
    result = CliRunner().invoke(
        app,
        ["export", "attempts", "--format", "jsonl", "--output", str(target), "--database", database_url,
         "--since", "2026-11-20"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["attempt_id"] for line in target.read_text().splitlines()] == ["in1", "in2"]
    bad = CliRunner().invoke(app, ["export", "tasks", "--database", database_url, "--since", "yesterday"])
    assert bad.exit_code == 2


FORMULA = '=HYPERLINK("http://x","y")'


def test_csv_cells_that_would_run_as_formulas_are_neutralised(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """OWASP CSV injection: a customer named like a formula reaches a spreadsheet as text, while phone
    numbers and signed amounts in their own columns stay numbers a spreadsheet can read."""
    from arrears.store.models import Customer, Task

    _seed(sessions)
    with sessions.begin() as session:
        customer = session.get(Customer, "cu1")
        assert customer is not None
        customer.name, customer.external_id = FORMULA, FORMULA
        session.add_all(
            [
                Task(
                    id=f"ta{n}", case_id="ca1", idempotency_key=f"t{n}", reason="dispute", created_at=AT,
                    summary=summary, due_at=AT,
                )
                for n, summary in enumerate([f"Call {FORMULA}", "@SUM(A1)", "+1+cmd|' /C calc'!A0",
                                             "-2+3", "\tTAB", "\rCR"], start=2)
            ]
        )  # fmt: skip
    (first, _refused) = _csv(engine, "attempts")
    assert first["customer_external_id"] == "'" + FORMULA
    assert first["destination"] == "+15550100001"  # an E.164 number, left alone
    summaries = [task["summary"] for task in _csv(engine, "tasks")]
    assert summaries == [
        "customer disputes the amount",
        f"Call {FORMULA}",
        "'@SUM(A1)",
        "'+1+cmd|' /C calc'!A0",
        "'-2+3",
        "'\tTAB",
        "'\rCR",
    ]
    out = io.StringIO()
    export(engine, "attempts", out, fmt="jsonl")  # JSON lines are for machines: values verbatim
    assert json.loads(out.getvalue().splitlines()[0])["customer_external_id"] == FORMULA


def test_a_negative_amount_stays_a_number() -> None:
    from arrears.export.writers import neutralise

    assert neutralise("promise_amount", "-25.50") == "-25.50"
    assert neutralise("promise_amount", "-25.50+cmd") == "'-25.50+cmd"
    assert neutralise("summary", "-25.50") == "'-25.50"
    assert neutralise("destination", "=1+1@example.org") == "'=1+1@example.org"
