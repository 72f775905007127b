"""A deterministic synthetic portfolio over segments, time zones and currencies, written in bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from arrears.core.ids import new_id
from arrears.store.models import Account, Consent, ContactPoint, Customer, Invoice

SOURCE = "demo"


@dataclass(frozen=True)
class Region:
    country: str
    state: str | None
    city: str
    time_zone: str
    currency: str
    phone_prefix: str
    postal: str
    weight: int


REGIONS = (
    Region("US", "NY", "New York", "America/New_York", "USD", "+1212", "10001", 14),
    Region("US", "MA", "Boston", "America/New_York", "USD", "+1617", "02108", 6),
    Region("US", "FL", "Miami", "America/New_York", "USD", "+1305", "33101", 6),
    Region("US", "IL", "Chicago", "America/Chicago", "USD", "+1312", "60601", 10),
    Region("US", "CO", "Denver", "America/Denver", "USD", "+1303", "80202", 5),
    Region("US", "CA", "Los Angeles", "America/Los_Angeles", "USD", "+1213", "90012", 12),
    Region("US", "WA", "Seattle", "America/Los_Angeles", "USD", "+1206", "98101", 5),
    Region("GB", None, "London", "Europe/London", "GBP", "+447700", "SW1A 1AA", 15),
    Region("IN", "MH", "Mumbai", "Asia/Kolkata", "INR", "+9198", "400001", 12),
    Region("DE", "BE", "Berlin", "Europe/Berlin", "EUR", "+49151", "10115", 15),
)
SEGMENTS = (
    ("retail", "person", 45),
    ("student", "person", 15),
    ("smb", "business", 30),
    ("enterprise", "business", 10),
)
FIRST = (
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Chen",
    "Maria",
    "Omar",
    "Lena",
    "Tom",
    "Aisha",
    "Ravi",
    "Emma",
    "Luca",
)
LAST = ("Smith", "Patel", "Garcia", "Müller", "Nguyen", "Okafor", "Brown", "Kowalski", "Rossi", "Khan", "Lee")
COMPANY = ("Works", "Studio", "Supplies", "Logistics", "Bakery", "Labs", "Garage", "Consulting", "Foods")
#: Street names for letters' address blocks (chosen by index, so the random draws stay as they were).
STREETS = ("Main Street", "Oak Avenue", "High Street", "Elm Road", "Market Street", "Mill Lane", "Park Road")


@dataclass(frozen=True)
class DemoAccount:
    account_id: str
    account_external_id: str
    customer_id: str
    currency: str
    kind: str


def _phone(rng: random.Random, region: Region) -> str:
    """Numbers of the right shape for each country (so phone zones can be read from them).

    UK numbers stay in Ofcom's 07700 900xxx range, set aside for fiction: no one can be reached there,
    and libphonenumber rightly calls them invalid, so UK customers get their zone from the address alone.
    """
    if region.country == "US":
        return f"{region.phone_prefix}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    if region.country == "GB":
        return f"{region.phone_prefix}{rng.randint(900000, 900999)}"
    # India: 98 + 8 digits; Germany: 0151 + 8 digits (a 10-digit mobile national number after the 0)
    return f"{region.phone_prefix}{rng.randint(10000000, 99999999)}"


def build_portfolio(
    session: Session, *, accounts: int, seed: int, today: date, now: datetime
) -> list[DemoAccount]:
    rng = random.Random(seed)
    regions = rng.choices(REGIONS, weights=[r.weight for r in REGIONS], k=accounts)
    segments = rng.choices(SEGMENTS, weights=[s[2] for s in SEGMENTS], k=accounts)
    customers: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    account_rows: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    made: list[DemoAccount] = []
    for index, (region, (segment, kind, _)) in enumerate(zip(regions, segments, strict=True)):
        customer_id, account_id = new_id(), new_id()
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        name = person if kind == "person" else f"{rng.choice(LAST)} {rng.choice(COMPANY)}"
        customers.append(
            {
                "id": customer_id,
                "source_system": SOURCE,
                "external_id": f"C{index:06d}",
                "kind": kind,
                "name": name,
                "time_zone": region.time_zone,
                "locale": "en-GB" if region.country == "GB" else "en-US",
                "segment": segment,
                "tier": rng.choice(("standard", "standard", "gold", "platinum")),
                "owner": rng.choice(("team-a", "team-b")),
                "country": region.country,
                "state": region.state,
                "city": region.city,
                "postal_code": region.postal,
                "address_line1": f"{index * 37 % 900 + 10} {STREETS[index % len(STREETS)]}",
                "created_at": now,
                "updated_at": now,
            }
        )
        slug = name.lower().replace(" ", ".").replace("ü", "u")
        email_kind = "billing" if kind == "business" else "personal"  # a firm's AP inbox, not an employee's
        points.append(
            {
                "id": new_id(),
                "customer_id": customer_id,
                "channel": "email",
                "value": f"{slug}.{index}@example.com",
                "kind": email_kind,
                "is_primary": True,
                "created_at": now,
            }
        )
        phone = _phone(rng, region)
        phone_kind = "mobile" if rng.random() < 0.85 else "landline"
        points.append(
            {
                "id": new_id(),
                "customer_id": customer_id,
                "channel": "phone",
                "value": phone,
                "kind": phone_kind,
                "is_primary": True,
                "created_at": now,
            }
        )
        if (
            rng.random() < 0.8
        ):  # most consumers gave their number for this debt, consenting to texts and calls
            for channel in ("sms", "voice", "whatsapp"):
                consents.append(
                    {
                        "id": new_id(),
                        "customer_id": customer_id,
                        "channel": channel,
                        "destination": phone,
                        "source": "application form",
                        "granted_at": now - timedelta(days=400),
                        "revoked_at": None,
                        "revoked_source": None,
                    }
                )
        account_rows.append(
            {
                "id": account_id,
                "customer_id": customer_id,
                "source_system": SOURCE,
                "external_id": f"A{index:06d}",
                "agency_placement_allowed": rng.random() < 0.3,
                "strategy": "b2b-ladder" if kind == "business" else "consumer-overdue",
                "created_at": now,
            }
        )
        base = 20_000 if kind == "person" else 400_000
        for number in range(rng.choice((1, 1, 1, 2, 3))):
            amount = int(rng.lognormvariate(0, 0.8) * base) // 100 * 100 + 100
            if region.currency == "INR":
                amount *= 50
            due = today - timedelta(days=rng.randint(-10, 50))
            invoices.append(
                {
                    "id": new_id(),
                    "account_id": account_id,
                    "source_system": SOURCE,
                    "external_id": f"I{index:06d}-{number}",
                    "number": f"INV-{index:06d}-{number}",
                    "currency": region.currency,
                    "amount_minor": amount,
                    "balance_minor": amount,
                    "issued_on": due - timedelta(days=30),
                    "due_on": due,
                    "status": "open",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        made.append(DemoAccount(account_id, f"A{index:06d}", customer_id, region.currency, kind))
    for table, rows in (
        (Customer, customers),
        (ContactPoint, points),
        (Consent, consents),
        (Account, account_rows),
        (Invoice, invoices),
    ):
        for start in range(0, len(rows), 2000):
            session.execute(insert(table), rows[start : start + 2000])
    return made
