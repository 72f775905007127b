"""The events a source system sends, one pydantic model per `type`, validated before anything is stored.

Fields mirror the import columns, so an invoice pushed through the API and one read from a CSV land the same
way. Every check that can be made without the database is made here, so a bad body is refused with the field
named and nothing written; what needs the database (unknown account, foreign invoice) is the handler's job.

Partial updates (`invoice.updated`, `customer.updated`) change only the fields present in the body; an
explicit null clears an optional field. Their stored payload keeps exactly the fields that were sent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator

from arrears.events.fields import (
    Amount,
    Country,
    Currency,
    Email,
    ExternalId,
    Label,
    SourceSystem,
    TimeZoneName,
    UtcTimestamp,
    e164,
    storable,
    to_minor,
)

#: The same default as `arrears import invoices --source`, so pushed and imported records are the same.
DEFAULT_SOURCE_SYSTEM = "import"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source_system: SourceSystem = Field(
        DEFAULT_SOURCE_SYSTEM, description="the system the external ids belong to (as in the import)"
    )

    #: Partial-update events store only the fields that were sent; the others store every field.
    _partial = False

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)

    def payload(self) -> dict[str, Any]:
        """The canonical JSON stored in the inbox and compared when an Idempotency-Key is reused."""
        if self._partial:
            return self.model_dump(mode="json", exclude_unset=True)  # `type` is required, so always set
        return self.model_dump(mode="json")


def _amount_in(value: str | None, info: ValidationInfo, currency_field: str = "currency") -> str | None:
    """An amount must be exact in its currency (no third decimal for USD, none at all for JPY)."""
    currency = info.data.get(currency_field)
    if value is not None and currency is not None:
        to_minor(value, currency)
    return value


class _CustomerFields(BaseModel):
    """Who owes: created on the first invoice that names an unknown customer."""

    customer_kind: Literal["person", "business"] | None = None
    locale: Annotated[str, Field(min_length=2, max_length=16)] | None = None
    time_zone: TimeZoneName | None = None
    segment: Label | None = None
    tier: Label | None = None
    owner: Annotated[str, Field(max_length=128)] | None = None
    country: Country | None = None
    state: Annotated[str, Field(max_length=8)] | None = None
    city: Annotated[str, Field(max_length=128)] | None = None
    postal_code: Annotated[str, Field(max_length=16)] | None = None
    address_line1: Annotated[str, Field(max_length=256)] | None = Field(None, description="street line")
    address_line2: Annotated[str, Field(max_length=256)] | None = None
    email: Email | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None
    phone_kind: Literal["mobile", "landline", "work"] | None = None
    whatsapp: Annotated[str, Field(max_length=32)] | None = None
    email_consent: bool | None = Field(None, description="true grants, false revokes consent at `email`")
    sms_consent: bool | None = Field(None, description="consent to SMS at `phone`")
    voice_consent: bool | None = Field(None, description="consent to calls at `phone`")
    whatsapp_consent: bool | None = Field(None, description="consent at `whatsapp` (or `phone`)")
    consent_source: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    consent_at: UtcTimestamp | None = None

    @field_validator("phone", "whatsapp")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else e164(value, info.data.get("country"))


class InvoiceCreated(_Event, _CustomerFields):
    """A new invoice (or the full current state of a known one: sending it again updates it)."""

    type: Literal["invoice.created"]
    customer_external_id: ExternalId
    customer_name: Annotated[str, Field(min_length=1, max_length=256)]
    account_external_id: ExternalId
    strategy: Label | None = Field(None, description="strategy for the account; the default when absent")
    agency_placement_allowed: bool | None = Field(None, description="may the account go to an outside agency")
    invoice_external_id: ExternalId
    invoice_number: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="printed number; the invoice external id when absent"
    )
    currency: Currency
    amount: Amount
    balance: Amount | None = Field(None, description="what is still owed; the full amount when absent")
    issued_on: date
    due_on: date

    @field_validator("amount")
    @classmethod
    def _exact_amount(cls, value: str, info: ValidationInfo) -> str:
        _amount_in(value, info)
        return value

    @field_validator("balance")
    @classmethod
    def _exact_balance(cls, value: str | None, info: ValidationInfo) -> str | None:
        _amount_in(value, info)
        currency, amount = info.data.get("currency"), info.data.get("amount")
        known = value is not None and currency is not None and amount is not None
        if known and to_minor(value, currency) > to_minor(amount, currency):  # type: ignore[arg-type]
            raise ValueError("balance exceeds the invoice amount")
        return value

    @field_validator("due_on")
    @classmethod
    def _due_after_issue(cls, value: date, info: ValidationInfo) -> date:
        issued = info.data.get("issued_on")
        if issued is not None and value < issued:
            raise ValueError("due date is before the issue date")
        return value

    @property
    def number(self) -> str:
        return self.invoice_number or self.invoice_external_id

    @property
    def amount_minor(self) -> int:
        return to_minor(self.amount, self.currency)

    @property
    def balance_minor(self) -> int:
        return to_minor(self.balance if self.balance is not None else self.amount, self.currency)


class InvoiceUpdated(_Event):
    """A change to a known invoice: only the fields present change; currency, if sent, must match."""

    _partial = True

    type: Literal["invoice.updated"]
    invoice_external_id: ExternalId
    currency: Currency | None = None
    invoice_number: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    amount: Amount | None = None
    balance: Amount | None = None
    issued_on: date | None = None
    due_on: date | None = None
    status: Literal["open", "void"] | None = Field(None, description="void withdraws the invoice")

    @field_validator("amount", "balance")
    @classmethod
    def _exact(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _amount_in(value, info)


class InvoicePaid(_Event):
    """The source system says the invoice is settled, whatever it knows about the payment."""

    type: Literal["invoice.paid"]
    invoice_external_id: ExternalId
    paid_at: UtcTimestamp | None = None


class PaymentReceived(_Event):
    """Money in: applied to the named invoice, then to the oldest open invoices in the same currency."""

    type: Literal["payment.received"]
    payment_external_id: ExternalId
    account_external_id: ExternalId
    invoice_external_id: ExternalId | None = None
    currency: Currency
    amount: Amount
    received_at: UtcTimestamp
    method: Annotated[str, Field(max_length=32)] | None = None

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: str, info: ValidationInfo) -> str:
        _amount_in(value, info)
        currency = info.data.get("currency")
        if currency is not None and to_minor(value, currency) == 0:
            raise ValueError("a payment must be greater than zero")
        return value

    @property
    def amount_minor(self) -> int:
        return to_minor(self.amount, self.currency)


class CustomerUpdated(_Event, _CustomerFields):
    """New details for a known customer; only the fields present change, null clears an optional one."""

    _partial = True

    type: Literal["customer.updated"]
    customer_external_id: ExternalId
    name: Annotated[str, Field(min_length=1, max_length=256)] | None = None


class MessageReceived(_Event):
    """A customer's message that another system received (an e-mail inbox, a chat widget, an SMS
    gateway): it takes the same path as a text arriving through Twilio. `sender` is the customer's number
    (E.164) or e-mail address, by which the case is found unless `case_id` names it."""

    type: Literal["message.received"]
    message_id: ExternalId = Field(description="the relaying system's id of this message: its identity")
    channel: Literal["sms", "whatsapp", "email", "chat"]
    sender: Annotated[str, Field(min_length=3, max_length=320)]
    recipient: Annotated[str, Field(max_length=320)] = ""
    text: Annotated[str, Field(min_length=1, max_length=8000)]
    case_id: Annotated[str, Field(max_length=32)] | None = None

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str, info: ValidationInfo) -> str:
        channel = info.data.get("channel")
        if channel == "email" and "@" not in value:
            raise ValueError("an e-mail message needs the sender's e-mail address")
        if channel in ("sms", "whatsapp"):
            return e164(value.removeprefix("whatsapp:"), None)
        return value


Event = Annotated[
    InvoiceCreated | InvoiceUpdated | InvoicePaid | PaymentReceived | CustomerUpdated | MessageReceived,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[str, ...] = (
    "invoice.created",
    "invoice.updated",
    "invoice.paid",
    "payment.received",
    "customer.updated",
    "message.received",
)
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: Any) -> Event:
    """Validate a decoded body or a stored payload; raises pydantic.ValidationError naming each field."""
    return EVENT_ADAPTER.validate_python(data)
