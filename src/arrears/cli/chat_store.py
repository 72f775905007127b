"""`arrears chat ACCOUNT`: a person plays the customer of a stored case, through the same conversation
service as calls, texts and the web chat, so every turn writes what a real one would (promise, task,
opt-out, outcome) to that database. Meant for a demo database."""

from __future__ import annotations

import json
from collections.abc import Callable

import typer
from sqlalchemy import or_, select

from arrears.core.clock import SystemClock
from arrears.core.ids import new_id
from arrears.settings import Settings
from arrears.store.db import make_engine, session_factory, transaction
from arrears.store.models import Account, Case, Outcome


def run(account: str, settings: Settings, channel: str, read: Callable[[], str] = input) -> int:
    """Returns the exit code: 0 after an ended conversation or end of input, 1 without an open case."""
    from arrears.engine.wiring import conversation_service

    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    service = conversation_service(settings)
    clock = SystemClock()
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
        with transaction(sessions) as session:
            result = service.open(
                session,
                case_id=case_id,
                channel=channel,
                provider="terminal",
                provider_conversation_id=new_id(),
                now=clock.now(),
            )
        typer.echo(f"agent> {result.reply}")
        while not result.ended:
            try:
                line = read()
            except EOFError:
                break
            with transaction(sessions) as session:
                result = service.turn(
                    session, result.conversation_id, line, turn_key=new_id(), now=clock.now()
                )
            typer.echo(f"agent> {result.reply}")
        if result.outcome_id is not None:
            with sessions() as session:
                row = session.get(Outcome, result.outcome_id)
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
        engine.dispose()
