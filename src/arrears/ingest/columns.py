"""The documented import columns, in one table, so validation, docs and tests agree on them.

The maximum lengths mirror the store's column sizes: a value PostgreSQL would refuse must be refused for
SQLite too, and with a row error rather than a failed batch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool
    max_length: int | None
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("customer_id", True, 128, "the customer's id in the source system"),
    Column("customer_name", True, 256, "person or company name"),
    Column("customer_kind", False, None, "person (default) or business"),
    Column("email", False, 320, "email address"),
    Column("phone", False, 32, "phone number, E.164 (+15551234567) or national with `country`"),
    Column("phone_kind", False, None, "mobile, landline or work (default: unknown)"),
    Column("whatsapp", False, 32, "WhatsApp number, same rules as `phone`"),
    Column("time_zone", False, 64, "IANA zone, e.g. America/New_York"),
    Column("locale", False, 16, "BCP 47 tag, e.g. en-US (default en-US)"),
    Column("segment", False, 64, "free text used by strategy conditions and metrics"),
    Column("tier", False, 64, "free text used by strategy conditions and metrics"),
    Column("owner", False, 128, "the person or team owning the customer"),
    Column("country", False, 2, "ISO 3166-1 alpha-2, e.g. US"),
    Column("state", False, 8, "subdivision code without the country, e.g. MA"),
    Column("city", False, 128, "city"),
    Column("postal_code", False, 16, "postal code"),
    Column("address_line1", False, 256, "street line, e.g. 12 Main Street (for letters)"),
    Column("address_line2", False, 256, "second street line, e.g. Suite 400"),
    Column("account_id", True, 128, "the account's id in the source system"),
    Column("agency_placement_allowed", False, None, "true/false: may go to an outside agency"),
    Column("strategy", False, 64, "strategy name for the account's cases (default: settings)"),
    Column("invoice_id", True, 128, "the invoice's id in the source system, unique per source"),
    Column("invoice_number", False, 64, "printed invoice number (default: invoice_id)"),
    Column("currency", True, 3, "ISO 4217 code, e.g. USD"),
    Column("amount", True, None, "decimal string, e.g. 1234.56 or 1,234.56"),
    Column("balance", True, None, "decimal string, 0 <= balance <= amount; 0 marks the invoice paid"),
    Column("issued_on", True, None, "YYYY-MM-DD"),
    Column("due_on", True, None, "YYYY-MM-DD"),
    Column("email_consent", False, None, "yes/no: consent to email at `email`"),
    Column("sms_consent", False, None, "yes/no: consent to SMS at `phone`"),
    Column("voice_consent", False, None, "yes/no: consent to calls at `phone`"),
    Column("whatsapp_consent", False, None, "yes/no: consent to WhatsApp at `whatsapp` (or `phone`)"),
    Column("consent_source", False, 128, "where consent was captured (default import:<source>)"),
    Column("consent_at", False, None, "when consent was given or withdrawn, ISO 8601 (default: now)"),
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
CONSENT_COLUMNS: dict[str, str] = {
    "email_consent": "email",
    "sms_consent": "sms",
    "voice_consent": "voice",
    "whatsapp_consent": "whatsapp",
}
