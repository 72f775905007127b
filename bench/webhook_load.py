"""What the webhook benchmark sends, and the database it sends it to.

Twilio texts: a portfolio is seeded with `arrears.demo.portfolio.build_portfolio` and its cases opened by
`sync_cases`, then parked a month ahead so the worker's planner has nothing due while the texts arrive
(what is measured is the inbox, the agent and the replies, not a planning run). Each chosen customer (a
phone number on file for exactly one customer with an open case) writes three texts, 1/3 of the run apart:
a first message, a confirmation of who they are, an offer to pay: three turns of one conversation, each
answered through the outbox. Forms carry the fields Twilio posts and are signed as Twilio signs them.

Events: the billing events the old API bench sent (per account two invoices, a partial payment, an invoice
update, a customer update, a settling payment), each account's six events spread over the run in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text, update
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from arrears.api.keys import create_api_key
from arrears.cases.sync import sync_cases
from arrears.core.ids import idempotency_key
from arrears.demo.portfolio import build_portfolio
from arrears.engine.strategies import register_strategies
from arrears.store.db import make_engine, session_factory, transaction
from arrears.store.migrate import upgrade
from arrears.store.models import Case
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import strategy_resolver
from loadgen import http_request

PUBLIC_BASE_URL = "https://bench.arrears.local"
AUTH_TOKEN = "bench-twilio-auth-token-not-a-secret"
OUR_NUMBER = "+15550100100"
TEXTS = (
    "Hi, I got a message about my account, what is this about?",
    "yes this is me",
    "I can pay 50 on Friday",
)
_KNOWN_PHONES = (
    "SELECT cp.value FROM contact_points cp JOIN cases c ON c.customer_id = cp.customer_id "
    "WHERE cp.channel = 'phone' AND c.status = 'open' GROUP BY cp.value "
    "HAVING COUNT(DISTINCT cp.customer_id) = 1 ORDER BY cp.value"
)


@dataclass(frozen=True)
class Load:
    kind: str  # twilio | events
    external_ids: list[str]  # the inbox identity of each request, in sending order
    requests: list[bytes]
    path: str  # where the floors send the same bodies
    known_customers: int


def prepare(url: str, now: datetime, accounts: int) -> tuple[list[str], str]:
    """Migrate, seed the portfolio, park its cases; the chosen phone numbers and an events:write key."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    library = StrategyLibrary.load(None)
    with transaction(sessions) as session:
        register_strategies(session, library, now)
        phones: list[str] = []
        if accounts:
            build_portfolio(session, accounts=accounts, seed=7, today=now.date(), now=now)
            sync_cases(session, now=now, resolve_strategy=strategy_resolver(library, "consumer-overdue"))
            later = now + timedelta(days=30)
            session.execute(update(Case).values(next_action_at=later))
            phones = list(session.scalars(text(_KNOWN_PHONES)))
        _, token = create_api_key(session, name="bench", scopes=["events:write"], now=now)
    engine.dispose()
    return phones, token


def senders(phones: list[str], first: int, customers: int, unknown: bool) -> list[str]:
    """`customers` numbers from the `first`th: customers' numbers on file, or numbers nobody has."""
    if unknown:
        return [f"+1555{n:07d}" for n in range(first, first + customers)]
    if len(phones) < first + customers:
        raise SystemExit(f"only {len(phones)} known customers with an open case; seed more accounts")
    return phones[first : first + customers]


def twilio_load(chosen: list[str], count: int, unknown: bool) -> Load:
    """`count` signed texts from the chosen numbers, each writing in turn (three texts each when
    count = 3 * len(chosen)), so one customer's texts are len(chosen) / rate seconds apart."""
    customers = len(chosen)
    validator = RequestValidator(AUTH_TOKEN)
    url = f"{PUBLIC_BASE_URL}/v1/twilio/messages"
    ids, requests = [], []
    for n in range(count):
        turn, who = divmod(n, customers)
        sender = chosen[who]
        sid = "SM" + idempotency_key("bench-text", sender, str(turn))[:32]
        form = _twilio_form(sid, sender, TEXTS[turn % len(TEXTS)])
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": validator.compute_signature(url, form),
            "User-Agent": "TwilioProxy/1.1",
        }
        ids.append(sid)
        requests.append(http_request("POST", "/v1/twilio/messages", headers, urlencode(form).encode()))
    return Load("twilio", ids, requests, "/v1/twilio/messages", 0 if unknown else customers)


def _twilio_form(sid: str, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (their order and spelling as Twilio sends them)."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
        "Body": body, "FromCountry": "US", "To": OUR_NUMBER, "ToZip": "", "NumSegments": "1",
        "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "ApiVersion": "2010-04-01",
    }  # fmt: skip


def events_load(token: str, count: int, prefix: str) -> Load:
    """`count` billing events over count / 6 accounts; event e of account a is sent at slot e * A + a."""
    accounts = max(1, count // 6)
    ids, requests = [], []
    for n in range(count):
        step, number = divmod(n, accounts)
        account = f"{prefix}{number}"
        key = f"bench-{account}-e{step}"
        body = json.dumps(_billing_event(account, step % 6)).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
        }
        ids.append(key)
        requests.append(http_request("POST", "/v1/events", headers, body))
    return Load("events", ids, requests, "/v1/events", 0)


def _billing_event(account: str, step: int) -> dict[str, Any]:
    acc, cus = f"a{account}", f"c{account}"
    base = {"customer_external_id": cus, "customer_name": f"Customer {cus}", "account_external_id": acc,
            "currency": "EUR", "issued_on": "2026-09-01", "email": f"{cus}@example.com"}  # fmt: skip
    payment = {"account_external_id": acc, "currency": "EUR"}
    return [
        {"type": "invoice.created", **base, "invoice_external_id": f"{acc}-1", "invoice_number": f"{acc}-1",
         "amount": "120.00", "due_on": "2026-10-01"},
        {"type": "invoice.created", **base, "invoice_external_id": f"{acc}-2", "invoice_number": f"{acc}-2",
         "amount": "80.50", "due_on": "2026-12-15"},
        {"type": "payment.received", "payment_external_id": f"{acc}-p1", **payment, "amount": "20.00",
         "received_at": "2026-11-20T09:30:00Z"},
        {"type": "invoice.updated", "invoice_external_id": f"{acc}-2", "balance": "70.50"},
        {"type": "customer.updated", "customer_external_id": cus, "segment": "retail", "tier": "silver"},
        {"type": "payment.received", "payment_external_id": f"{acc}-p2", **payment,
         "invoice_external_id": f"{acc}-1", "amount": "100.00", "received_at": "2026-11-21T09:30:00Z"},
    ][step]  # fmt: skip
