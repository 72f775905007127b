"""The validated shape of one import row, and the error that names a bad one.

Plain immutable data, so validation stays pure and the store step never sees an unchecked value.
Rows are named tuples rather than dataclasses: a million of them are built per import, and the first
fields are exactly the invoice staging columns, so `row[:STAGED]` is what travels to the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, NamedTuple

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
    "address_line1",
    "address_line2",
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
    "address_line1": None,
    "address_line2": None,
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason a row was rejected. `field` is our column; `column` the file's own header for it when
    the file was read through a mapping (what the user sees in the export). `record` is the invoice id
    when known; values of personal fields are never repeated in `reason`, so an error file can be
    shared or logged."""

    line: int
    field: str
    reason: str
    record: str | None = None
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.record:
            where += f" (invoice {self.record})"
        name = self.field or "row"
        if self.column is not None and self.column.lower() != self.field:
            name = f'column "{self.column}" ({self.field})'
        return f"{where}: {name}: {self.reason}"


class ContactValue(NamedTuple):
    channel: str  # email | phone | whatsapp
    value: str
    kind: str


class ConsentValue(NamedTuple):
    channel: str  # email | sms | voice | whatsapp
    destination: str
    granted: bool
    source: str | None
    at: datetime | None


class CustomerFacts(NamedTuple):
    """What a row says about its customer: validated once per distinct set of those columns and shared by
    every row that repeats them (a customer usually has several invoices), which halves validation."""

    fields: tuple[str | None, ...]  # CUSTOMER_FIELDS order; None = not provided, keep what is stored
    contacts: tuple[ContactValue, ...]
    consents: tuple[ConsentValue, ...]


#: How many leading fields of `InvoiceRow` are staged as they are.
STAGED = 10


class InvoiceRow(NamedTuple):
    line: int
    invoice_ext: str
    account_ext: str
    customer_ext: str
    number: str
    currency: str
    amount_minor: int
    balance_minor: int
    issued_on: str  # a checked date, as its ISO text YYYY-MM-DD (which also orders like the date)
    due_on: str
    agency_placement_allowed: bool | None
    strategy: str | None
    customer: CustomerFacts
