"""The validated shape of one import row, and the error that names a bad one.

Plain data, so validation stays pure and the store step never sees an unchecked value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

#: Customer columns in store order; the import compares and writes them as one tuple.
CUSTOMER_FIELDS: tuple[str, ...] = (
    "kind",
    "name",
    "time_zone",
    "locale",
    "segment",
    "tier",
    "owner",
    "country",
    "state",
    "city",
    "postal_code",
)
CUSTOMER_DEFAULTS: dict[str, str | None] = {
    "kind": "person",
    "time_zone": None,
    "locale": "en-US",
    "segment": None,
    "tier": None,
    "owner": None,
    "country": None,
    "state": None,
    "city": None,
    "postal_code": None,
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason a row was rejected. `record` is the invoice id when known; values of personal
    fields are never repeated in `reason`, so an error file can be shared or logged."""

    line: int
    field: str
    reason: str
    record: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.record:
            where += f" (invoice {self.record})"
        return f"{where}: {self.field or 'row'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ContactValue:
    channel: str  # email | phone | whatsapp
    value: str
    kind: str


@dataclass(frozen=True, slots=True)
class ConsentValue:
    channel: str  # email | sms | voice | whatsapp
    destination: str
    granted: bool
    source: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    line: int
    customer_ext: str
    customer: dict[str, str]  # only the customer fields the row provides; blanks keep stored values
    account_ext: str
    agency_placement_allowed: bool | None
    strategy: str | None
    invoice_ext: str
    number: str
    currency: str
    amount_minor: int
    balance_minor: int
    issued_on: date
    due_on: date
    contacts: tuple[ContactValue, ...]
    consents: tuple[ConsentValue, ...]
