"""Write a staged batch's customers, accounts and invoices: only what is new or differs, in set-based SQL.

For each table: resolve the staged keys to stored ids (one join), return only the rows that differ (for
the audit trail: customer field names, invoice old and new values), give the new rows ids, then one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE` that writes exactly the new and the changed rows. An
identical row is never written, so a re-import changes nothing, not even `updated_at`. A blank column
is staged as NULL and means "keep what is stored" (`COALESCE(staged, stored, default)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from arrears import audit
from arrears.ingest.rows import CUSTOMER_DEFAULTS, CUSTOMER_FIELDS
from arrears.ingest.sql import Db

INVOICE_FIELDS = (
    "account_id",
    "number",
    "currency",
    "amount_minor",
    "balance_minor",
    "issued_on",
    "due_on",
    "status",
)
#: The staged value of each invoice field, over `imp_rows r`, `imp_accounts a` and the stored `invoices i`.
_STAGED_INVOICE = (
    "a.id",
    "r.number",
    "r.currency",
    "r.amount",
    "r.balance",
    "r.issued_on",
    "r.due_on",
    "CASE WHEN r.balance = 0 THEN 'paid' WHEN i.status = 'void' THEN 'void' ELSE 'open' END",
)


@dataclass
class Written:
    counts: dict[str, int] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)


def write(db: Db, *, source: str, now: datetime, kept: int) -> Written:
    out = Written()
    _customers(db, out, source, now)
    _accounts(db, out, source, now)
    _invoices(db, out, source, now, kept)
    return out


def _resolve(db: Db, stage: str, target: str, source: str) -> None:
    """Fill the staged rows' `id` with the stored one, where there is one."""
    if db.pg:
        db.run(
            f"UPDATE {stage} s SET id = t.id FROM {target} t"
            " WHERE t.source_system = :source AND t.external_id = s.external_id",
            source=source,
        )
    else:
        db.run(
            f"UPDATE {stage} SET id = (SELECT t.id FROM {target} t"
            f" WHERE t.source_system = :source AND t.external_id = {stage}.external_id)",
            source=source,
        )


def _fresh_ids(db: Db, stage: str) -> int:
    """Give the staged rows not stored yet a new id; how many there are."""
    return db.run(f"UPDATE {stage} SET id = {db.new_id('n')} WHERE id IS NULL")


def _customers(db: Db, out: Written, source: str, now: datetime) -> None:
    _resolve(db, "imp_customers", "customers", source)
    tests = [f"(s.{name} IS NOT NULL AND s.{name} {db.differs} c.{name})" for name in CUSTOMER_FIELDS]
    changed = db.rows(
        f"SELECT s.id, {', '.join(tests)} FROM imp_customers s JOIN customers c ON c.id = s.id"
        f" WHERE {' OR '.join(tests)}"
    )
    for customer_id, *flags in changed:
        # Field names only: customer values are personal data and stay out of the audit payload.
        fields = sorted(name for name, flag in zip(CUSTOMER_FIELDS, flags, strict=True) if flag)
        out.audit.append(_audit(now, "customer.updated", "customer", customer_id, {"fields": fields}))
    new = _fresh_ids(db, "imp_customers")
    values = [_coalesce(f"s.{name}", f"c.{name}", CUSTOMER_DEFAULTS.get(name)) for name in CUSTOMER_FIELDS]
    assignments = ", ".join(f"{name} = excluded.{name}" for name in (*CUSTOMER_FIELDS, "updated_at"))
    db.run(
        f"INSERT INTO customers (id, source_system, external_id, {', '.join(CUSTOMER_FIELDS)},"
        " created_at, updated_at)"
        f" SELECT s.id, :source, s.external_id, {', '.join(values)}, :now, :now"
        " FROM imp_customers s LEFT JOIN customers c ON c.id = s.id"
        f" WHERE c.id IS NULL OR {' OR '.join(tests)}"
        f" ON CONFLICT (source_system, external_id) DO UPDATE SET {assignments}",
        source=source,
        now=db.ts(now),
    )
    out.counts.update(customers_new=new, customers_updated=len(changed))


def _accounts(db: Db, out: Written, source: str, now: datetime) -> None:
    _resolve(db, "imp_accounts", "accounts", source)
    if db.pg:
        db.run(
            "UPDATE imp_accounts s SET customer_id = c.id FROM imp_customers c"
            " WHERE c.external_id = s.customer_ext"
        )
    else:
        db.run(
            "UPDATE imp_accounts SET customer_id = (SELECT c.id FROM imp_customers c"
            " WHERE c.external_id = imp_accounts.customer_ext)"
        )
    tests = (
        f"(s.agency IS NOT NULL AND s.agency {db.differs} a.agency_placement_allowed)"
        f" OR (s.strategy IS NOT NULL AND s.strategy {db.differs} a.strategy)"
    )
    changed = db.rows(f"SELECT s.id FROM imp_accounts s JOIN accounts a ON a.id = s.id WHERE {tests}")
    out.audit.extend(_audit(now, "account.updated", "account", account_id, {}) for (account_id,) in changed)
    new = _fresh_ids(db, "imp_accounts")
    db.run(
        "INSERT INTO accounts (id, customer_id, source_system, external_id, agency_placement_allowed,"
        " strategy, created_at)"
        " SELECT s.id, s.customer_id, :source, s.external_id,"
        " COALESCE(s.agency, a.agency_placement_allowed, :no), COALESCE(s.strategy, a.strategy), :now"
        f" FROM imp_accounts s LEFT JOIN accounts a ON a.id = s.id WHERE a.id IS NULL OR {tests}"
        " ON CONFLICT (source_system, external_id) DO UPDATE SET"
        " agency_placement_allowed = excluded.agency_placement_allowed, strategy = excluded.strategy",
        source=source,
        now=db.ts(now),
        no=False,
    )
    out.counts.update(accounts_new=new, accounts_updated=len(changed))


def _invoices(db: Db, out: Written, source: str, now: datetime, kept: int) -> None:
    joins = (
        " FROM imp_rows r JOIN imp_accounts a ON a.external_id = r.account_ext"
        " {kind} JOIN invoices i ON i.source_system = :source AND i.external_id = r.invoice_ext"
    )
    tests = " OR ".join(
        f"i.{name} {db.differs} {value}" for name, value in zip(INVOICE_FIELDS, _STAGED_INVOICE, strict=True)
    )
    stored = ", ".join(f"i.{name}" for name in INVOICE_FIELDS)
    changed = db.rows(
        f"SELECT i.id, {stored}, {', '.join(_STAGED_INVOICE)}{joins.format(kind='')} WHERE {tests}",
        source=source,
    )
    width = len(INVOICE_FIELDS)
    for invoice_id, *values in changed:
        old, new = values[:width], values[width:]
        changes = {
            name: [_plain(before), _plain(after)]
            for name, before, after in zip(INVOICE_FIELDS, old, new, strict=True)
            if _plain(before) != _plain(after)
        }
        out.audit.append(_audit(now, "invoice.updated", "invoice", invoice_id, changes))
    assignments = ", ".join(f"{name} = excluded.{name}" for name in (*INVOICE_FIELDS, "updated_at"))
    written = db.run(
        f"INSERT INTO invoices (id, source_system, external_id, {', '.join(INVOICE_FIELDS)},"
        " created_at, updated_at)"
        f" SELECT COALESCE(i.id, {db.new_id('r.line')}), :source, r.invoice_ext,"
        f" {', '.join(_STAGED_INVOICE)}, :now, :now"
        f"{joins.format(kind='LEFT')} WHERE i.id IS NULL OR {tests}"
        f" ON CONFLICT (source_system, external_id) DO UPDATE SET {assignments}",
        source=source,
        now=db.ts(now),
    )
    updated = len(changed)
    out.counts.update(
        invoices_new=written - updated, invoices_updated=updated, invoices_unchanged=kept - written
    )


def _coalesce(staged: str, stored: str, default: str | None) -> str:
    if default is None:
        return f"COALESCE({staged}, {stored})"
    return f"COALESCE({staged}, {stored}, '{default}')"


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _audit(now: datetime, action: str, entity: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return audit.entry(at=now, actor="import", action=action, entity=entity, entity_id=entity_id, data=data)
