"""Invoice events: what is owed, as the source system states it.

The source system is the authority on an invoice, so `invoice.created` for a known invoice is an upsert and
`invoice.updated` overwrites the fields it carries; a creation sent again without a balance keeps the one
payments left. An invoice with nothing left to pay is `paid`; `void`
withdraws it. Case sync afterwards opens, updates or closes the account's case from the new balances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.planning import credit_open_case
from arrears.core.money import currency_change
from arrears.events.customers import ensure_account, ensure_customer, lock_account
from arrears.events.errors import EventError
from arrears.events.fields import to_minor
from arrears.events.schemas import InvoiceCreated, InvoicePaid, InvoiceUpdated
from arrears.store.models import Invoice
from arrears.store.upsert import insert_ignore, stable_id


@dataclass
class Applied:
    """What one event changed: the account whose case must be synced, and entity -> changed fields."""

    account_id: str | None = None
    changes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def note(self, entity: str, entity_id: str, fields: list[str]) -> None:
        if fields:
            self.changes.setdefault((entity, entity_id), []).extend(fields)


def _status(balance_minor: int, current: str) -> str:
    if current == "void":
        return "void"
    return "paid" if balance_minor == 0 else "open"


def find_invoice(session: Session, source_system: str, external_id: str) -> Invoice:
    invoice = session.scalars(
        select(Invoice).where(Invoice.source_system == source_system, Invoice.external_id == external_id)
    ).one_or_none()
    if invoice is None:
        raise EventError(
            "invoice_external_id",
            f"unknown invoice {external_id!r} in source system {source_system!r}",
            kind="unknown_invoice",
        )
    return invoice


def _set(invoice: Invoice, values: dict[str, Any], now: datetime) -> list[str]:
    changed = [name for name, value in values.items() if getattr(invoice, name) != value]
    for name in changed:
        setattr(invoice, name, values[name])
    if changed:
        invoice.updated_at = now
    return changed


def apply_invoice_created(session: Session, event: InvoiceCreated, now: datetime) -> Applied:
    applied = Applied()
    customer, customer_changes = ensure_customer(session, event, now)
    applied.note("customer", customer.id, customer_changes)
    account, account_changes = ensure_account(session, event, customer, now)
    applied.note("account", account.id, account_changes)
    applied.account_id = account.id
    values = {
        "number": event.number,
        "amount_minor": event.amount_minor,
        "balance_minor": event.balance_minor,
        "issued_on": event.issued_on,
        "due_on": event.due_on,
    }
    invoice_id = stable_id("invoice", event.source_system, event.invoice_external_id)
    created = insert_ignore(
        session,
        Invoice,
        {
            "id": invoice_id,
            "account_id": account.id,
            "source_system": event.source_system,
            "external_id": event.invoice_external_id,
            "currency": event.currency,
            "status": _status(event.balance_minor, "open"),
            "created_at": now,
            "updated_at": now,
            **values,
        },
        ("source_system", "external_id"),
    )
    invoice = find_invoice(session, event.source_system, event.invoice_external_id)
    if created:
        applied.note("invoice", invoice.id, ["created"])
        return applied
    if invoice.account_id != account.id:
        raise EventError(
            "invoice_external_id",
            f"invoice {event.invoice_external_id!r} belongs to another account",
            kind="conflict",
        )
    refused = currency_change(invoice.currency, event.currency)
    if refused is not None:
        raise EventError("currency", refused)
    balance = event.balance_minor
    if event.balance is None:
        # A creation sent again states no balance: what payments recorded here already took stays taken
        # (within the amount), or a billing system re-sending its original event would undo a payment.
        balance = values["balance_minor"] = min(invoice.balance_minor, event.amount_minor)
    values["status"] = _status(balance, "open")
    applied.note("invoice", invoice.id, _set(invoice, values, now))
    return applied


def apply_invoice_updated(session: Session, event: InvoiceUpdated, now: datetime) -> Applied:
    invoice = find_invoice(session, event.source_system, event.invoice_external_id)
    lock_account(session, invoice.account_id)
    refused = currency_change(invoice.currency, event.currency or invoice.currency)
    if refused is not None:
        raise EventError("currency", refused)
    sent = event.model_fields_set
    values: dict[str, Any] = {}
    if "invoice_number" in sent and event.invoice_number is not None:
        values["number"] = event.invoice_number
    for name in ("issued_on", "due_on"):
        if name in sent and getattr(event, name) is not None:
            values[name] = getattr(event, name)
    for name in ("amount", "balance"):
        text = getattr(event, name)
        if name in sent and text is not None:
            try:
                values[f"{name}_minor"] = to_minor(text, invoice.currency)
            except ValueError as exc:
                raise EventError(name, str(exc)) from None
    amount = values.get("amount_minor", invoice.amount_minor)
    balance = values.get("balance_minor", invoice.balance_minor)
    if balance > amount:
        raise EventError("balance", "balance exceeds the invoice amount")
    if values.get("due_on", invoice.due_on) < values.get("issued_on", invoice.issued_on):
        raise EventError("due_on", "due date is before the issue date")
    status = event.status if event.status is not None else ("open" if invoice.status != "void" else "void")
    values["status"] = _status(balance, status)
    applied = Applied(account_id=invoice.account_id)
    applied.note("invoice", invoice.id, _set(invoice, values, now))
    return applied


def apply_invoice_paid(session: Session, event: InvoicePaid, now: datetime) -> Applied:
    """Settle the invoice; what it still owed, if overdue, counts as recovered on the account's open case."""
    invoice = find_invoice(session, event.source_system, event.invoice_external_id)
    lock_account(session, invoice.account_id)
    applied = Applied(account_id=invoice.account_id)
    if invoice.status == "void":
        raise EventError("invoice_external_id", "invoice is void and cannot be paid", kind="conflict")
    settled = invoice.balance_minor
    applied.note("invoice", invoice.id, _set(invoice, {"balance_minor": 0, "status": "paid"}, now))
    if settled and invoice.due_on < now.date():
        credit_open_case(session, invoice.account_id, invoice.currency, settled, now)
    return applied
