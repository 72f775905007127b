"""What a message prints beyond the case facts: the open invoices and the customer's street lines.

Read for a whole chunk of cases in one query at send time (and by the review preview), so an email quotes
the invoices as they stand when it leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from arrears.messages.render import InvoiceLine
from arrears.store.models import Case, Customer, Invoice

#: A summary lists at most this many invoices, oldest due first (the balance line covers the rest).
MAX_INVOICES = 20


@dataclass(frozen=True, slots=True)
class PrintedFacts:
    invoices: tuple[InvoiceLine, ...] = ()
    address_line1: str | None = None
    address_line2: str | None = None


def load_printed_facts(session: Session, case_ids: Sequence[str]) -> dict[str, PrintedFacts]:
    """Per case: its account's open invoices (oldest due first) and its customer's street lines."""
    if not case_ids:
        return {}
    query = (
        select(
            Case.id,
            Customer.address_line1,
            Customer.address_line2,
            Invoice.number,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.amount_minor,
            Invoice.balance_minor,
            Invoice.currency,
        )
        .join(Customer, Customer.id == Case.customer_id)
        .outerjoin(
            Invoice,
            and_(Invoice.account_id == Case.account_id, Invoice.status == "open", Invoice.balance_minor > 0),
        )
        .where(Case.id.in_(list(set(case_ids))))
        .order_by(Case.id, Invoice.due_on, Invoice.number)
    )
    streets: dict[str, tuple[str | None, str | None]] = {}
    invoices: dict[str, list[InvoiceLine]] = {}
    for case_id, line1, line2, number, issued, due, amount, balance, currency in session.execute(query):
        streets[case_id] = (line1, line2)
        lines = invoices.setdefault(case_id, [])
        if number is not None and len(lines) < MAX_INVOICES:
            lines.append(InvoiceLine(number, issued, due, amount, balance, currency))
    return {
        case_id: PrintedFacts(tuple(invoices.get(case_id, ())), line1, line2)
        for case_id, (line1, line2) in streets.items()
    }
