"""Write one batch of validated rows: customers, accounts and invoices, compared before they are written.

Each batch reads what the database already holds for its keys (three set queries), decides per
record whether it is new, changed or identical, and writes only the first two with one bulk upsert per
table. Identical rows cost a read and nothing else, which is what makes a re-import a no-op.
Rows that contradict stored ownership (an account of another customer, an invoice of another account)
are rejected with their line, never silently moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from arrears.ingest.rows import CUSTOMER_DEFAULTS, CUSTOMER_FIELDS, InvoiceRow, RowError
from arrears.ingest.sql import Bulk, among, chunks, row_id, table

CUSTOMERS = table("customers")
ACCOUNTS = table("accounts")
INVOICES = table("invoices")
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


@dataclass
class StoredBatch:
    """What a batch changed; `customer_ids`/`account_ids` map external to internal ids."""

    rows: list[InvoiceRow]
    errors: list[RowError]
    customer_ids: dict[str, str] = field(default_factory=dict)
    account_ids: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)


def _existing(conn: Connection, target: Any, source: str, keys: list[str], *columns: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    cols = [target.c[name] for name in columns]
    for part in chunks(keys):
        query = select(target.c.external_id, *cols).where(
            target.c.source_system == source, among(conn, target.c.external_id, part)
        )
        for row in conn.execute(query):
            found[row[0]] = tuple(row[1:])
    return found


def store_batch(bulk: Bulk, rows: list[InvoiceRow], *, source: str, now: datetime) -> StoredBatch:
    conn = bulk.conn
    customers = _existing(
        conn, CUSTOMERS, source, list({r.customer_ext: 0 for r in rows}), "id", *CUSTOMER_FIELDS
    )
    accounts = _existing(
        conn,
        ACCOUNTS,
        source,
        list({r.account_ext: 0 for r in rows}),
        "id",
        "customer_id",
        "agency_placement_allowed",
        "strategy",
    )
    invoices = _existing(conn, INVOICES, source, [r.invoice_ext for r in rows], "id", *INVOICE_FIELDS)
    kept, errors = _check_ownership(rows, customers, accounts, invoices)
    batch = StoredBatch(kept, errors)
    _write_customers(bulk, batch, customers, source, now)
    _write_accounts(bulk, batch, accounts, source, now)
    _write_invoices(bulk, batch, invoices, source, now)
    return batch


def _check_ownership(
    rows: list[InvoiceRow],
    customers: dict[str, Any],
    accounts: dict[str, Any],
    invoices: dict[str, Any],
) -> tuple[list[InvoiceRow], list[RowError]]:
    kept: list[InvoiceRow] = []
    errors: list[RowError] = []
    owner_in_file: dict[str, str] = {}
    for row in rows:
        claimed = owner_in_file.get(row.account_ext)
        account = accounts.get(row.account_ext)
        customer = customers.get(row.customer_ext)
        invoice = invoices.get(row.invoice_ext)
        if claimed is not None and claimed != row.customer_ext:
            reason = f"account {row.account_ext!r} belongs to customer {claimed!r} on an earlier row"
            errors.append(RowError(row.line, "account_id", reason, row.invoice_ext))
        elif account is not None and (customer is None or customer[0] != account[1]):
            reason = f"account {row.account_ext!r} already belongs to another customer"
            errors.append(RowError(row.line, "account_id", reason, row.invoice_ext))
        elif invoice is not None and (account is None or invoice[1] != account[0]):
            reason = f"invoice {row.invoice_ext!r} already belongs to another account"
            errors.append(RowError(row.line, "account_id", reason, row.invoice_ext))
        else:
            owner_in_file[row.account_ext] = row.customer_ext
            kept.append(row)
    return kept, errors


def _write_customers(
    bulk: Bulk, batch: StoredBatch, existing: dict[str, Any], source: str, now: datetime
) -> None:
    wanted: dict[str, dict[str, Any]] = {}
    for row in batch.rows:
        current = wanted.get(row.customer_ext)
        if current is None:
            stored = existing.get(row.customer_ext)
            base = dict(zip(CUSTOMER_FIELDS, stored[1:], strict=True)) if stored else dict(CUSTOMER_DEFAULTS)
            current = wanted[row.customer_ext] = base
        current.update(row.customer)
    writes: list[tuple[Any, ...]] = []
    stamp = bulk.ts(now)
    new = updated = 0
    for ext, values in wanted.items():
        stored = existing.get(ext)
        if stored is None:
            customer_id = row_id()
            new += 1
        else:
            customer_id = stored[0]
            batch.customer_ids[ext] = customer_id
            before = dict(zip(CUSTOMER_FIELDS, stored[1:], strict=True))
            changed = sorted(name for name in CUSTOMER_FIELDS if before[name] != values[name])
            if not changed:
                continue
            updated += 1
            # Field names only: customer values are personal data and stay out of the audit payload.
            batch.audit.append(_audit(now, "customer.updated", "customer", customer_id, {"fields": changed}))
        writes.append((customer_id, source, ext, *(values[name] for name in CUSTOMER_FIELDS), stamp, stamp))
    bulk.upsert(
        CUSTOMERS,
        ("id", "source_system", "external_id", *CUSTOMER_FIELDS, "created_at", "updated_at"),
        writes,
        keys=("source_system", "external_id"),
        update=CUSTOMER_FIELDS,
        touch=("updated_at",),
    )
    fresh = [ext for ext in wanted if ext not in batch.customer_ids]
    found = _existing(bulk.conn, CUSTOMERS, source, fresh, "id")
    batch.customer_ids.update({ext: ids[0] for ext, ids in found.items()})
    batch.counts.update(customers_new=new, customers_updated=updated)


def _write_accounts(
    bulk: Bulk, batch: StoredBatch, existing: dict[str, Any], source: str, now: datetime
) -> None:
    wanted: dict[str, dict[str, Any]] = {}
    for row in batch.rows:
        stored = existing.get(row.account_ext)
        current = wanted.get(row.account_ext)
        if current is None:
            current = wanted[row.account_ext] = {
                "customer_id": batch.customer_ids[row.customer_ext],
                "agency_placement_allowed": stored[2] if stored else False,
                "strategy": stored[3] if stored else None,
            }
        if row.agency_placement_allowed is not None:
            current["agency_placement_allowed"] = row.agency_placement_allowed
        if row.strategy is not None:
            current["strategy"] = row.strategy
    writes: list[tuple[Any, ...]] = []
    stamp = bulk.ts(now)
    new = updated = 0
    for ext, values in wanted.items():
        stored = existing.get(ext)
        if stored is None:
            account_id = row_id()
            new += 1
        else:
            account_id = stored[0]
            batch.account_ids[ext] = account_id
            if (stored[2], stored[3]) == (values["agency_placement_allowed"], values["strategy"]):
                continue
            updated += 1
            batch.audit.append(_audit(now, "account.updated", "account", account_id, {}))
        agency, strategy = values["agency_placement_allowed"], values["strategy"]
        writes.append((account_id, values["customer_id"], source, ext, agency, strategy, stamp))
    bulk.upsert(
        ACCOUNTS,
        (
            "id",
            "customer_id",
            "source_system",
            "external_id",
            "agency_placement_allowed",
            "strategy",
            "created_at",
        ),
        writes,
        keys=("source_system", "external_id"),
        update=("agency_placement_allowed", "strategy"),
    )
    fresh = [ext for ext in wanted if ext not in batch.account_ids]
    found = _existing(bulk.conn, ACCOUNTS, source, fresh, "id")
    batch.account_ids.update({ext: ids[0] for ext, ids in found.items()})
    batch.counts.update(accounts_new=new, accounts_updated=updated)


def _write_invoices(
    bulk: Bulk, batch: StoredBatch, existing: dict[str, Any], source: str, now: datetime
) -> None:
    writes: list[tuple[Any, ...]] = []
    stamp = bulk.ts(now)
    new = updated = unchanged = 0
    for row in batch.rows:
        stored = existing.get(row.invoice_ext)
        status = "paid" if row.balance_minor == 0 else "open"
        if status == "open" and stored is not None and stored[8] == "void":
            status = "void"  # voiding is the source's or an operator's decision; an import never undoes it
        values = (
            batch.account_ids[row.account_ext],
            row.number,
            row.currency,
            row.amount_minor,
            row.balance_minor,
            row.issued_on,
            row.due_on,
            status,
        )
        if stored is None:
            invoice_id = row_id()
            new += 1
        elif tuple(stored[1:]) == values:
            unchanged += 1
            continue
        else:
            invoice_id = stored[0]
            updated += 1
            changes = {
                name: [_plain(old), _plain(value)]
                for name, old, value in zip(INVOICE_FIELDS, stored[1:], values, strict=True)
                if old != value
            }
            batch.audit.append(_audit(now, "invoice.updated", "invoice", invoice_id, changes))
        issued, due = bulk.day(row.issued_on), bulk.day(row.due_on)
        writes.append((invoice_id, source, row.invoice_ext, *values[:5], issued, due, status, stamp, stamp))
    bulk.upsert(
        INVOICES,
        ("id", "source_system", "external_id", *INVOICE_FIELDS, "created_at", "updated_at"),
        writes,
        keys=("source_system", "external_id"),
        update=INVOICE_FIELDS,
        touch=("updated_at",),
    )
    batch.counts.update(invoices_new=new, invoices_updated=updated, invoices_unchanged=unchanged)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _audit(now: datetime, action: str, entity: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": now,
        "actor": "import",
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "data": data,
    }
