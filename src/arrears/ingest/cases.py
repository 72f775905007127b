"""Case sync for an imported batch, set-based: the same decisions as `arrears.cases.sync.sync_cases`.

`sync_cases` (used by events, the worker and the demo) reads each account's overdue balance and open
case into Python and writes cases through the ORM: right for one payment, but a fifth of a large
import's time. Here the same rules run as four statements over the batch's accounts (`imp_accounts`):

- the overdue debt of each account: open invoices with a balance, due before today, grouped per
  currency; the currency of the oldest due date wins (on a tie, the first currency in code order);
- an open case whose balance, oldest due date or currency differs is updated (and planned again now);
- an account with debt and no open case gets one, on its strategy (or the default) at its newest version,
  and its `case.opened` event (id: the case's id, so an account seen in two batches announces it once);
- an open case of an account without debt is closed as settled, its pending actions cancelled and
  promises kept (`close_cases`, the same code as everywhere else).

tests/cases/test_import_sync.py checks that both give identical cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from arrears.cases.closing import close_cases
from arrears.cases.sync import StrategyResolver, SyncResult
from arrears.ingest.sql import Db, chunks

_DEBT = """
INSERT INTO imp_debt (account_id, n, customer_id, strategy, currency, balance, oldest)
SELECT account_id, n, customer_id, strategy, currency, balance, oldest FROM (
  SELECT t.id AS account_id, t.n, a.customer_id, a.strategy, i.currency,
         SUM(i.balance_minor) AS balance, MIN(i.due_on) AS oldest,
         ROW_NUMBER() OVER (PARTITION BY t.id ORDER BY MIN(i.due_on), i.currency) AS rank
  FROM imp_accounts t
  JOIN accounts a ON a.id = t.id
  JOIN invoices i ON i.account_id = t.id
  WHERE i.status = 'open' AND i.balance_minor > 0 AND i.due_on < :today
  GROUP BY t.id, t.n, a.customer_id, a.strategy, i.currency
) ranked WHERE rank = 1
"""
_OPEN = "c.account_id = d.account_id AND c.status <> 'closed'"
_DIFFERS = "(c.balance_minor <> d.balance OR c.oldest_due_on <> d.oldest OR c.currency <> d.currency)"


def sync_batch_cases(db: Db, *, now: datetime, resolve_strategy: StrategyResolver) -> SyncResult:
    """Open, update or close the case of every account staged in `imp_accounts`."""
    result = SyncResult()
    db.run(_DEBT, today=now.date().isoformat() if not db.pg else now.date())
    stamp = db.ts(now)
    result.updated = _update(db, stamp)
    result.opened = _open(db, stamp, resolve_strategy)
    if result.opened:
        _publish_opened(db, stamp)
    settled = [
        case_id
        for (case_id,) in db.rows(
            "SELECT c.id FROM imp_accounts d JOIN cases c ON c.account_id = d.id AND c.status <> 'closed'"
            " WHERE NOT EXISTS (SELECT 1 FROM imp_debt x WHERE x.account_id = d.id)"
        )
    ]
    if settled:
        with Session(bind=db.conn) as session:
            for part in chunks(settled, 1000):
                result.cancelled_actions += close_cases(session, list(part), now=now, reason="settled")
        result.closed = len(settled)
    return result


def _update(db: Db, stamp: Any) -> int:
    if db.pg:
        return db.run(
            "UPDATE cases c SET balance_minor = d.balance, oldest_due_on = d.oldest, currency = d.currency,"
            f" next_action_at = :now, updated_at = :now FROM imp_debt d WHERE {_OPEN} AND {_DIFFERS}",
            now=stamp,
        )
    return db.run(
        "UPDATE cases SET (balance_minor, oldest_due_on, currency) = (SELECT d.balance, d.oldest, d.currency"
        " FROM imp_debt d WHERE d.account_id = cases.account_id), next_action_at = :now, updated_at = :now"
        " WHERE id IN (SELECT c.id FROM imp_debt d JOIN cases c"
        f" ON {_OPEN} WHERE {_DIFFERS})",
        now=stamp,
    )


def _open(db: Db, stamp: Any, resolve_strategy: StrategyResolver) -> int:
    missing = f"NOT EXISTS (SELECT 1 FROM cases c WHERE {_OPEN})"
    wanted = db.rows(f"SELECT DISTINCT d.strategy FROM imp_debt d WHERE {missing}")
    if not wanted:
        return 0
    params: dict[str, Any] = {"now": stamp}
    names, versions = [], []
    for index, (strategy,) in enumerate(wanted):
        name, version = resolve_strategy(strategy)
        params.update({f"s{index}": strategy, f"n{index}": name, f"v{index}": version})
        test = "d.strategy IS NULL" if strategy is None else f"d.strategy = :s{index}"
        names.append(f"WHEN {test} THEN :n{index}")
        versions.append(f"WHEN {test} THEN :v{index}")
    return db.run(
        "INSERT INTO cases (id, account_id, customer_id, status, stage, strategy_name, strategy_version,"
        " currency, balance_minor, opening_balance_minor, oldest_due_on, broken_promises, completed_steps,"
        " next_action_at, opened_at, recovered_minor, updated_at)"
        f" SELECT {db.new_id('d.n')}, d.account_id, d.customer_id, 'open', 'early',"
        f" CASE {' '.join(names)} END, CASE {' '.join(versions)} END,"
        f" d.currency, d.balance, d.balance, d.oldest, 0, {db.json('[]')}, :now, :now, 0, :now"
        f" FROM imp_debt d WHERE {missing}",
        **params,
    )


def _publish_opened(db: Db, stamp: Any) -> None:
    """`case.opened` on the feed for the cases this batch opened, in the same transaction, set-based."""
    fields = (
        "'balance_minor', c.balance_minor, 'currency', c.currency, 'oldest_due_on', c.oldest_due_on,"
        " 'strategy', c.strategy_name || ':' || c.strategy_version"
    )
    data = f"jsonb_build_object({fields})" if db.pg else f"json_object({fields})"
    db.run(
        "INSERT INTO domain_events (id, kind, entity, entity_id, case_id, customer_id, data, occurred_at)"
        f" SELECT c.id, 'case.opened', 'case', c.id, c.id, c.customer_id, {data}, :now"
        " FROM imp_debt d JOIN cases c ON c.account_id = d.account_id AND c.status = 'open'"
        " AND c.opened_at = :now ON CONFLICT (id) DO NOTHING",
        now=stamp,
    )
