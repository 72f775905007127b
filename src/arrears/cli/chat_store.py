"""`arrears chat ACCOUNT`: a person plays the customer of a stored case, through the same conversation
service as calls, texts and the web chat, so every turn writes what a real one would (promise, task,
opt-out, outcome) to that database. Meant for a demo database."""

from __future__ import annotations

import json
from collections.abc import Callable

import typer
from sqlalchemy import or_, select

from arrears.core.ids import new_id
from arrears.inbox import Applied, InboxStatus
from arrears.settings import Settings
from arrears.store.models import Account, Case, Outcome


def run(account: str, settings: Settings, channel: str, read: Callable[[], str] = input) -> int:
    """Returns the exit code: 0 after an ended conversation or end of input, 1 without an open case, 2
    when the configuration is incomplete (no business name)."""
    from arrears.system import build_system
    from arrears.system.errors import ConfigError

    try:
        system = build_system(settings)
    except ConfigError as exc:
        typer.echo(f"arrears chat: {exc}", err=True)
        return 2
    sessions, inbox = system.sessions, system.inbox
    try:
        with sessions() as session:
            case_id = session.scalars(
                select(Case.id)
                .join(Account, Account.id == Case.account_id)
                .where(or_(Case.id == account, Account.external_id == account), Case.status != "closed")
                .order_by(Case.opened_at.desc())
                .limit(1)
            ).first()
        if case_id is None:
            typer.echo(f"no open case for account or case {account!r}", err=True)
            return 1
        system.register_strategies()
        opened = inbox.take_now(
            source="terminal",
            external_id=f"open:{new_id()}",
            kind="chat.open",
            payload={"case_id": case_id, "channel": channel},
        )
        result = _answer(opened)
        conversation_id = str(result["conversation_id"])
        while not result["ended"]:
            try:
                line = read()
            except EOFError:
                break
            result = _answer(
                inbox.take_now(
                    source="terminal",
                    external_id=f"{conversation_id}:{new_id()}",
                    kind="chat.message",
                    payload={"conversation_id": conversation_id, "text": line},
                )
            )
        if result.get("outcome_id"):
            with sessions() as session:
                row = session.get(Outcome, result["outcome_id"])
                assert row is not None
                typer.echo(
                    json.dumps(
                        {
                            "outcome_id": row.id,
                            "routing": row.routing,
                            "labels": row.labels,
                            "promise_on": row.promise_on.isoformat() if row.promise_on else None,
                            "promise_amount_minor": row.promise_amount_minor,
                            "currency": row.currency,
                            "next_step": row.next_step,
                            "summary": row.summary,
                        },
                        indent=2,
                    )
                )
        return 0
    finally:
        system.dispose()


def _answer(applied: Applied) -> dict[str, object]:
    if applied.status is not InboxStatus.DONE or applied.result is None:
        detail = (applied.problem or {}).get("detail", "the turn could not be applied")
        raise typer.BadParameter(str(detail))
    result = dict(applied.result)
    typer.echo(f"agent> {result['reply']}")
    return result
