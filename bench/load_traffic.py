"""What the load benchmark sends: a seeded portfolio as an import CSV, and requests that name its records.

The portfolio is imported with `arrears import invoices` (the way an operator loads one), so every event and
text in the load refers to a real customer, account, invoice and phone number. The events are the mix a
billing system and a customer-messaging relay push: payments, invoice changes and new invoices, customers'
words relayed as `message.received` (a promise to pay, a dispute, a STOP), and consent withdrawn through
`customer.updated` (an opt-out). Twilio texts carry every field Twilio posts and are signed with Twilio's
own RequestValidator, as tests/providers/test_twilio_messages.py signs them.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from loadgen import Maker, http_request

PUBLIC_BASE_URL = "https://bench.arrears.local"
AUTH_TOKEN = "bench-twilio-auth-token-not-a-secret"
OUR_NUMBER = "+16175550100"
STATES = ("MA", "TX", "FL", "NY", "CA")
TEXTS = (
    "Hi, I got a message about my account, what is this about?",
    "I can pay 50 on Friday",
    "I dispute this, I never received the service",
    "STOP",
)
RECEIVED_AT = "2026-11-20T09:30:00Z"


def phone(n: int) -> str:
    """Customer n's mobile: a valid US number (Boston area code), distinct per customer."""
    return f"+1617{2_000_000 + n:07d}"


def write_portfolio(path: Path, accounts: int) -> None:
    """One customer, account and two invoices (one overdue, one not yet due) per account, as import CSV."""
    columns = ["customer_id", "customer_name", "email", "phone", "phone_kind", "country", "state",
               "time_zone", "account_id", "invoice_id", "currency", "amount", "balance", "issued_on",
               "due_on", "sms_consent", "email_consent"]  # fmt: skip
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(accounts):
            who = [f"cus-{n}", f"Customer {n}", f"customer{n}@example.com", phone(n), "mobile", "US",
                   STATES[n % len(STATES)], "America/New_York", f"acc-{n}"]  # fmt: skip
            writer.writerow([*who, f"inv-{n}-1", "USD", "400.00", "400.00", "2026-08-01", "2026-09-01",
                             "yes", "yes"])  # fmt: skip
            writer.writerow([*who, f"inv-{n}-2", "USD", "120.00", "120.00", "2026-11-01", "2027-01-15",
                             "yes", "yes"])  # fmt: skip


def _event(kind: str, key: str, n: int, rng: random.Random) -> dict[str, Any]:
    """One event of `kind` about customer n; `key` (the Idempotency-Key) makes new records unique."""
    acc = f"acc-{n}"
    if kind == "payment":
        return {"type": "payment.received", "payment_external_id": key, "account_external_id": acc,
                "invoice_external_id": f"inv-{n}-1", "currency": "USD", "amount": f"{rng.randint(1, 9)}.00",
                "received_at": RECEIVED_AT, "method": "card"}  # fmt: skip
    if kind in ("promise", "dispute", "stop"):
        text = {"promise": TEXTS[1], "dispute": TEXTS[2], "stop": TEXTS[3]}[kind]
        return {"type": "message.received", "message_id": key, "channel": "sms", "sender": phone(n),
                "recipient": OUR_NUMBER, "text": text}  # fmt: skip
    if kind == "opt_out":
        return {"type": "customer.updated", "customer_external_id": f"cus-{n}", "phone": phone(n),
                "sms_consent": False, "consent_source": "bench:preference-centre"}  # fmt: skip
    if kind == "invoice_update":
        return {"type": "invoice.updated", "invoice_external_id": f"inv-{n}-2",
                "balance": f"{rng.randint(20, 120)}.00"}  # fmt: skip
    return {"type": "invoice.created", "customer_external_id": f"cus-{n}", "customer_name": f"Customer {n}",
            "account_external_id": acc, "invoice_external_id": key, "currency": "USD", "amount": "75.00",
            "issued_on": "2026-10-01", "due_on": "2026-11-01"}  # fmt: skip


#: The events' mix, by weight (of 100).
MIX = {"payment": 35, "invoice_update": 15, "invoice_created": 10, "promise": 15, "dispute": 10,
       "stop": 5, "opt_out": 10}  # fmt: skip


def events_maker(token: str, accounts: int, prefix: str, path: str = "/v1/events") -> Maker:
    """Request n of client c: an event from the mix about a random customer, under a key used once."""
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]

    def make(client: int, n: int) -> tuple[str, bytes]:
        rng = random.Random(f"{prefix}-{client}-{n}")
        key = f"{prefix}-c{client}-{n}"
        body = json.dumps(_event(rng.choice(kinds), key, rng.randrange(accounts), rng)).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                   "Idempotency-Key": key}  # fmt: skip
        return key, http_request("POST", path, headers, body)

    return make


def twilio_form(sid: str, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (their order and spelling as Twilio sends them)."""
    return {
        "ToCountry": "US", "ToState": "MA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
        "Body": body, "FromCountry": "US", "To": OUR_NUMBER, "ToZip": "", "NumSegments": "1",
        "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "ApiVersion": "2010-04-01",
    }  # fmt: skip


def texts_maker(accounts: int, prefix: str, path: str = "/v1/twilio/messages") -> Maker:
    """Request n of client c: a signed inbound text from a random customer's phone, a new MessageSid."""
    validator = RequestValidator(AUTH_TOKEN)
    url = f"{PUBLIC_BASE_URL}/v1/twilio/messages"

    def make(client: int, n: int) -> tuple[str, bytes]:
        rng = random.Random(f"{prefix}-{client}-{n}")
        sid = f"SM{prefix}c{client}n{n}x".ljust(34, "0")  # unique: the x ends the number
        form = twilio_form(sid, phone(rng.randrange(accounts)), rng.choice(TEXTS))
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, form),
                   "User-Agent": "TwilioProxy/1.1"}  # fmt: skip
        return sid, http_request("POST", path, headers, urlencode(form).encode())

    return make
