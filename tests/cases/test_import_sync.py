"""The import's set-based case sync makes exactly the decisions of `sync_cases`, on both databases.

A random portfolio is imported, then its invoices are changed behind the import's back (paid, voided,
re-dated, new currency, new balance) and some open cases get pending actions and promises. From that
state each sync runs in its own rolled-back transaction; the cases, promises and actions they leave,
and the counts they report, must be identical.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from arrears.cases.sync import SyncResult, sync_cases
from arrears.ingest import stage
from arrears.ingest.cases import sync_batch_cases
from arrears.ingest.sql import Db
from arrears.store.models import Account, Case, OutboxAction, Promise
from tests.ingest.helpers import NOW, row, run, write_csv

STRATEGIES = {None: ("default", 1), "b2b": ("b2b", 3), "retail": ("retail", 2)}


def _resolve(name: str | None) -> tuple[str, int]:
    return STRATEGIES[name]


def _portfolio(path: Path, rng: random.Random) -> Path:
    rows = []
    for account in range(40):
        strategy = rng.choice(["", "b2b", "retail"])
        for n in range(rng.randint(1, 4)):
            due = date(2026, 11, 21) - timedelta(days=rng.randint(-20, 90))
            amount = rng.randint(100, 90_000)
            balance = rng.choice([0, amount, rng.randint(1, amount)])
            rows.append(
                row(customer_id=f"C{account}", account_id=f"A{account}", invoice_id=f"I{account}-{n}",
                    currency=rng.choice(["EUR", "USD"]), amount=str(amount), balance=str(balance),
                    issued_on=(due - timedelta(days=30)).isoformat(), due_on=due.isoformat(),
                    strategy=strategy, phone=f"+1555010{account:04d}")
            )  # fmt: skip
    header = [*rows[0]]
    return write_csv(path, rows, header=header)


def _disturb(engine: Engine, rng: random.Random) -> None:
    """Change invoices as payments, voids and corrections would, and give open cases pending work."""
    with engine.begin() as conn:
        invoices = conn.execute(text("SELECT id, amount_minor FROM invoices ORDER BY external_id")).all()
        for invoice_id, amount in invoices:
            change = rng.random()
            if change < 0.15:
                conn.execute(text("UPDATE invoices SET balance_minor = 0, status = 'paid' WHERE id = :i"),
                             {"i": invoice_id})  # fmt: skip
            elif change < 0.2:
                conn.execute(text("UPDATE invoices SET status = 'void' WHERE id = :i"), {"i": invoice_id})
            elif change < 0.35:
                conn.execute(text("UPDATE invoices SET balance_minor = :b, status = 'open' WHERE id = :i"),
                             {"i": invoice_id, "b": rng.randint(1, amount)})  # fmt: skip
            elif change < 0.45:
                due = date(2026, 11, 21) - timedelta(days=rng.randint(-10, 120))
                conn.execute(
                    text("UPDATE invoices SET due_on = :d WHERE id = :i"), {"i": invoice_id, "d": due}
                )
            elif change < 0.5:
                conn.execute(text("UPDATE invoices SET currency = 'GBP' WHERE id = :i"), {"i": invoice_id})
        cases = conn.execute(select(Case.id, Case.customer_id).where(Case.status != "closed")).all()
    with Session(engine) as session, session.begin():
        for n, (case_id, customer_id) in enumerate(cases):
            if n % 2 == 0:
                session.add(_action(case_id, customer_id, "pending" if n % 4 == 0 else "sent"))
                session.add(_promise(case_id))


def _action(case_id: str, customer_id: str, status: str) -> OutboxAction:
    return OutboxAction(
        idempotency_key=f"k-{case_id}", case_id=case_id, customer_id=customer_id, kind="contact",
        step_id="day-3", channel="email", template="friendly", status=status, not_before=NOW, created_at=NOW,
    )  # fmt: skip


def _promise(case_id: str) -> Promise:
    return Promise(
        case_id=case_id, amount_minor=100, currency="EUR", due_on=date(2026, 12, 1), channel="sms",
        created_at=NOW,
    )  # fmt: skip


def _state(conn: Connection) -> dict[str, Any]:
    columns = [c for c in Case.__table__.columns if c.name != "id"]
    cases = sorted(tuple(map(str, r)) for r in conn.execute(select(*columns)))
    promises = sorted(
        tuple(map(str, r))
        for r in conn.execute(
            select(Case.account_id, Promise.status, Promise.resolved_at).join(
                Case, Case.id == Promise.case_id
            )
        )
    )
    actions = sorted(
        tuple(map(str, r)) for r in conn.execute(select(OutboxAction.idempotency_key, OutboxAction.status))
    )
    return {"cases": cases, "promises": promises, "actions": actions}


def _with_sync_cases(engine: Engine) -> tuple[SyncResult, dict[str, Any]]:
    with engine.connect() as conn, conn.begin() as transaction:
        with Session(bind=conn) as session:
            ids = list(session.scalars(select(Account.id)))
            result = sync_cases(session, now=NOW, resolve_strategy=_resolve, account_ids=ids)
            session.flush()
        state = _state(conn)
        transaction.rollback()
    return result, state


def _with_import_sync(engine: Engine) -> tuple[SyncResult, dict[str, Any]]:
    with engine.connect() as conn:
        db = Db(conn)
        stage.create(db)
        with conn.begin() as transaction:
            db.start_batch()
            accounts = conn.execute(select(Account.id, Account.external_id, Account.customer_id)).all()
            staged = [(n, ext, "-", account_id) for n, (account_id, ext, _) in enumerate(accounts)]
            stage.load(db, "imp_accounts", ("n", "external_id", "customer_ext", "id"), staged)
            result = sync_batch_cases(db, now=NOW, resolve_strategy=_resolve)
            state = _state(conn)
            transaction.rollback()
        stage.drop(db)
    return result, state


def test_import_sync_matches_sync_cases(engine: Engine, tmp_path: Path) -> None:
    rng = random.Random(11)
    run(engine, _portfolio(tmp_path / "f.csv", rng), clock=_clock(days=-5), batch_size=25)
    _disturb(engine, rng)

    expected_result, expected = _with_sync_cases(engine)
    result, state = _with_import_sync(engine)

    assert state == expected
    assert result == expected_result
    # The scenario exercises every branch.
    assert min(result.opened, result.updated, result.closed, result.cancelled_actions) > 0


def _clock(days: int) -> Any:
    from arrears.core.clock import SimulatedClock

    return SimulatedClock(NOW + timedelta(days=days))
