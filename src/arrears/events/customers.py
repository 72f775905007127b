"""Customers, their contact points and accounts as events describe them: created once, then kept current.

Every write here compares before it changes anything, so applying the same event again touches no row and
no timestamp: that is what makes a replay leave the store exactly as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.events.errors import EventError
from arrears.events.schemas import CustomerUpdated, InvoiceCreated
from arrears.store.models import Account, Consent, ContactPoint, Customer
from arrears.store.upsert import insert_ignore, stable_id

#: Event field -> Customer column, for the details an event may carry.
CUSTOMER_COLUMNS: dict[str, str] = {
    "customer_name": "name",
    "name": "name",
    "customer_kind": "kind",
    "locale": "locale",
    "time_zone": "time_zone",
    "segment": "segment",
    "tier": "tier",
    "owner": "owner",
    "country": "country",
    "state": "state",
    "city": "city",
    "postal_code": "postal_code",
    "address_line1": "address_line1",
    "address_line2": "address_line2",
}
#: Columns that cannot be cleared with an explicit null.
REQUIRED_COLUMNS = {"name": "name", "kind": "customer_kind", "locale": "locale"}
#: Contact fields -> ContactPoint channel (as the import stores them).
CONTACT_CHANNELS = {"email": "email", "phone": "phone", "whatsapp": "whatsapp"}
#: Consent fields -> (consent channel, contact fields whose value is the destination, first present wins).
CONSENT_FIELDS = {
    "email_consent": ("email", ("email",)),
    "sms_consent": ("sms", ("phone",)),
    "voice_consent": ("voice", ("phone",)),
    "whatsapp_consent": ("whatsapp", ("whatsapp", "phone")),
}


def _details(event: InvoiceCreated | CustomerUpdated) -> dict[str, Any]:
    """The customer columns the event actually sent (absent fields never overwrite what is known)."""
    sent = event.model_fields_set | ({"customer_name"} if isinstance(event, InvoiceCreated) else set())
    return {column: getattr(event, field) for field, column in CUSTOMER_COLUMNS.items() if field in sent}


def find_customer(session: Session, source_system: str, external_id: str) -> Customer:
    customer = session.scalars(
        select(Customer).where(Customer.source_system == source_system, Customer.external_id == external_id)
    ).one_or_none()
    if customer is None:
        raise EventError(
            "customer_external_id",
            f"unknown customer {external_id!r} in source system {source_system!r}",
            kind="unknown_customer",
        )
    return customer


def ensure_customer(session: Session, event: InvoiceCreated, now: datetime) -> tuple[Customer, list[str]]:
    """The customer the invoice names, created when unknown; returns it and the columns that changed."""
    details = {k: v for k, v in _details(event).items() if v is not None}
    created = insert_ignore(
        session,
        Customer,
        {
            "id": stable_id("customer", event.source_system, event.customer_external_id),
            "source_system": event.source_system,
            "external_id": event.customer_external_id,
            "created_at": now,
            "updated_at": now,
            "kind": "person",
            "locale": "en-US",
            **details,
        },
        ("source_system", "external_id"),
    )
    customer = find_customer(session, event.source_system, event.customer_external_id)
    changed = ["created"] if created else update_customer(customer, details, now)
    changed += add_contacts(session, customer, event, now)
    changed += record_consents(session, customer, event, now)
    return customer, changed


def update_customer(customer: Customer, details: dict[str, Any], now: datetime) -> list[str]:
    """Set the columns that differ; a null for a required column is refused rather than stored."""
    changed = []
    for column, value in details.items():
        if value is None and column in REQUIRED_COLUMNS:
            raise EventError(REQUIRED_COLUMNS[column], "cannot be cleared", kind="required")
        if getattr(customer, column) != value:
            setattr(customer, column, value)
            changed.append(column)
    if changed:
        customer.updated_at = now
    return changed


def add_contacts(
    session: Session, customer: Customer, event: InvoiceCreated | CustomerUpdated, now: datetime
) -> list[str]:
    """Record new contact points; the first one of a channel becomes its primary."""
    changed = []
    for field, channel in CONTACT_CHANNELS.items():
        value = getattr(event, field)
        if value is None:
            continue
        kind = {"email": "personal", "whatsapp": "mobile"}.get(field, event.phone_kind or "unknown")
        has_channel = session.scalars(
            select(ContactPoint.id).where(
                ContactPoint.customer_id == customer.id, ContactPoint.channel == channel
            )
        ).first()
        inserted = insert_ignore(
            session,
            ContactPoint,
            {
                "id": stable_id("contact", customer.id, f"{channel}:{value}"),
                "customer_id": customer.id,
                "channel": channel,
                "value": value,
                "kind": kind,
                "is_primary": has_channel is None,
                "created_at": now,
            },
            ("customer_id", "channel", "value"),
        )
        if inserted:
            changed.append(field)
    return changed


def record_consents(
    session: Session, customer: Customer, event: InvoiceCreated | CustomerUpdated, now: datetime
) -> list[str]:
    """Grant (true) or revoke (false) consent at the destination sent; a grant already active, or a revoke
    with nothing active, changes nothing, so a replay adds no rows."""
    changed = []
    origin = event.consent_source or f"import:{event.source_system}"
    at = event.consent_at or now
    for field, (channel, destinations) in CONSENT_FIELDS.items():
        granted = getattr(event, field)
        if granted is None:
            continue
        destination = next((getattr(event, d) for d in destinations if getattr(event, d) is not None), None)
        if destination is None:
            raise EventError(field, f"needs {' or '.join(destinations)} in the same event", kind="invalid")
        active = session.scalars(
            select(Consent).where(
                Consent.customer_id == customer.id,
                Consent.channel == channel,
                Consent.destination == destination,
                Consent.revoked_at.is_(None),
            )
        ).first()
        if granted and active is None:
            session.add(
                Consent(
                    id=stable_id("consent", customer.id, f"{channel}:{destination}:{at.isoformat()}"),
                    customer_id=customer.id,
                    channel=channel,
                    destination=destination,
                    source=origin,
                    granted_at=at,
                )
            )
            changed.append(field)
        elif not granted and active is not None:
            active.revoked_at, active.revoked_source = at, origin
            changed.append(field)
    return changed


def apply_customer_updated(session: Session, event: CustomerUpdated, now: datetime) -> tuple[str, list[str]]:
    customer = find_customer(session, event.source_system, event.customer_external_id)
    changed = update_customer(customer, _details(event), now)
    changed += add_contacts(session, customer, event, now)
    changed += record_consents(session, customer, event, now)
    return customer.id, changed


def find_account(session: Session, source_system: str, external_id: str, *, lock: bool = True) -> Account:
    """The account, locked for the rest of the transaction so events for one account apply one at a time."""
    query = select(Account).where(Account.source_system == source_system, Account.external_id == external_id)
    account = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if account is None:
        raise EventError(
            "account_external_id",
            f"unknown account {external_id!r} in source system {source_system!r}",
            kind="unknown_account",
        )
    return account


def lock_account(session: Session, account_id: str) -> Account:
    return session.scalars(select(Account).where(Account.id == account_id).with_for_update()).one()


def ensure_account(
    session: Session, event: InvoiceCreated, customer: Customer, now: datetime
) -> tuple[Account, list[str]]:
    created = insert_ignore(
        session,
        Account,
        {
            "id": stable_id("account", event.source_system, event.account_external_id),
            "customer_id": customer.id,
            "source_system": event.source_system,
            "external_id": event.account_external_id,
            "strategy": event.strategy,
            "agency_placement_allowed": bool(event.agency_placement_allowed),
            "created_at": now,
        },
        ("source_system", "external_id"),
    )
    account = find_account(session, event.source_system, event.account_external_id)
    if account.customer_id != customer.id:
        raise EventError(
            "account_external_id",
            f"account {event.account_external_id!r} belongs to another customer",
            kind="conflict",
        )
    changed = ["created"] if created else []
    if not created:
        for name in ("strategy", "agency_placement_allowed"):
            value = getattr(event, name)
            if name in event.model_fields_set and value is not None and getattr(account, name) != value:
                setattr(account, name, value)
                changed.append(name)
    return account, changed
