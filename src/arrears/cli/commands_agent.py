"""Agent commands: `arrears nlu` (the stable line contract) and `arrears chat` (play the dialogue)."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from datetime import date, datetime, timedelta
from typing import Any

import typer

from arrears.agent.nlu_io import handle_line


def nlu(
    default_currency: str | None = typer.Option(
        None, "--currency", help="account currency for amounts said without one (e.g. USD)"
    ),
) -> None:
    """Read JSON lines {"text","reference","channel"} on stdin; write one JSON answer per line, in order."""
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        # Undecodable bytes must become U+FFFD on one line, not abort the whole run.
        stdin.reconfigure(encoding="utf-8", errors="replace")
    out = sys.stdout
    for line_no, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        result = handle_line(line, line_no, default_currency=default_currency)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__name__} | {
            f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def chat(
    account: str | None = typer.Argument(
        None, help="account external id or case id: talk as that stored customer (else the options below)"
    ),
    database: str | None = typer.Option(
        None, "--database", help="SQLAlchemy URL of the store (default ARREARS_DATABASE_URL)"
    ),
    name: str = typer.Option("Alex Morgan", help="customer display name"),
    business: str = typer.Option("Example Utilities", help="business the agent calls for"),
    balance: str = typer.Option("250.00", help="balance due"),
    currency: str = typer.Option("USD", help="ISO 4217 currency"),
    days_overdue: int = typer.Option(14),
    identity_kind: str = typer.Option("date_of_birth"),
    identity_value: str = typer.Option("1980-01-31", help="the value on record (dates as YYYY-MM-DD)"),
    invoice: list[str] = typer.Option([], help="invoice number (repeatable)"),
    disclosure: list[str] = typer.Option([], help="disclosure text to read (repeatable)"),
    tone: str = typer.Option("friendly", help="friendly, firm or final"),
    staff: bool = typer.Option(False, help="staff available for a warm transfer"),
    callback_number: str = typer.Option("", help="number the customer can call"),
    plan_min: str | None = typer.Option(None, help="smallest instalment allowed"),
    plan_max: int = typer.Option(6, help="most instalments allowed"),
    settle_floor: str | None = typer.Option(None, help="least accepted to settle the balance in full"),
    settle_days: int = typer.Option(14, help="days to pay an agreed settlement in"),
    channel: str = typer.Option("chat"),
    locale: str = typer.Option("en-US", help="the customer's locale: how amounts and dates are written"),
) -> None:
    """Play the customer in the terminal: of a stored case (ACCOUNT), or of a case given by options."""
    if account is not None:
        from arrears.cli.chat_store import run
        from arrears.settings import get_settings

        settings = get_settings()
        if database:
            settings = settings.model_copy(update={"database_url": database})
        raise typer.Exit(run(account, settings, channel))
    from arrears.agent import understand
    from arrears.agent.dialogue import (
        CaseContext,
        IdentityCheck,
        PlanBounds,
        SettlementBounds,
        Tone,
        start,
        step,
    )
    from arrears.core.money import Money

    now = datetime.now()
    ctx = CaseContext(
        customer_name=name,
        identity=IdentityCheck(identity_kind, identity_value),
        business_name=business,
        balance=Money.parse(balance, currency),
        days_overdue=days_overdue,
        today=now.date(),
        invoice_numbers=tuple(invoice),
        tone=Tone(tone),
        plan_bounds=PlanBounds(Money.parse(plan_min, currency), plan_max) if plan_min else None,
        settlement=SettlementBounds(
            Money.parse(settle_floor, currency), now.date() + timedelta(days=settle_days)
        )
        if settle_floor
        else None,
        disclosures=tuple(disclosure),
        staff_available=staff,
        callback_number=callback_number,
        channel=channel,
        locale=locale,
    )
    current = start(ctx)
    typer.echo(f"agent> {current.reply}")
    while current.outcome is None:
        try:
            line = input("you> ")
        except EOFError:
            break
        current = step(
            current.state, understand(line, datetime.now(), channel, default_currency=currency), ctx
        )
        for action in current.actions:
            typer.echo(f"  [action] {json.dumps(_jsonable(action))}")
        typer.echo(f"agent> {current.reply}")
    if current.outcome is not None:
        typer.echo(json.dumps(_jsonable(current.outcome), indent=2))


def register(app: typer.Typer) -> None:
    app.command(name="nlu")(nlu)
    app.command(name="chat")(chat)
