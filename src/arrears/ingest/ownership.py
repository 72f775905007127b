"""Stored facts a batch may not contradict: an account of another customer, an invoice of another
account, an invoice's currency. Such rows are rejected with their line, never silently moved or changed.

One query joins the staged rows with what is stored and returns only the offending lines, so a clean
batch costs three index lookups per row inside the database and nothing in Python. The in-file rule
(an account claimed by another customer on an earlier row) needs the rows' order and is applied in
`arrears.ingest.batch.settle`, which also decides which reason wins when both apply.
"""

from __future__ import annotations

from arrears.core.money import currency_change
from arrears.ingest.sql import Db

_CONFLICTS = """
SELECT r.line, r.account_ext, r.invoice_ext,
       CASE WHEN a.id IS NOT NULL AND (c.id IS NULL OR c.id <> a.customer_id) THEN 1 ELSE 0 END,
       CASE WHEN i.id IS NOT NULL AND (a.id IS NULL OR i.account_id <> a.id) THEN 1 ELSE 0 END,
       r.currency, i.currency
FROM imp_rows r
LEFT JOIN accounts a ON a.source_system = :source AND a.external_id = r.account_ext
LEFT JOIN customers c ON c.source_system = :source AND c.external_id = r.customer_ext
LEFT JOIN invoices i ON i.source_system = :source AND i.external_id = r.invoice_ext
WHERE (a.id IS NOT NULL AND (c.id IS NULL OR c.id <> a.customer_id))
   OR (i.id IS NOT NULL AND (a.id IS NULL OR i.account_id <> a.id))
   OR (i.id IS NOT NULL AND i.currency <> r.currency)
"""


def conflicts(db: Db, source: str) -> dict[int, tuple[str, str]]:
    """Staged line -> the field it contradicts stored records on, and why."""
    found: dict[int, tuple[str, str]] = {}
    for line, account_ext, invoice_ext, account_taken, invoice_taken, sent, stored in db.rows(
        _CONFLICTS, source=source
    ):
        if account_taken:
            found[int(line)] = ("account_id", f"account {account_ext!r} already belongs to another customer")
        elif invoice_taken:
            found[int(line)] = ("account_id", f"invoice {invoice_ext!r} already belongs to another account")
        else:
            # The events API's rule, word for word: a stored invoice keeps its currency.
            found[int(line)] = ("currency", currency_change(stored, sent) or "")
    return found
