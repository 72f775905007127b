"""Every inbound entrance as an input a sender repeats byte for byte, one family per kind of input.

A family builds its inputs stage by stage, because a later input names what an earlier one created (a
call's turn names the conversation its answer opened, found in the database as the provider would have
been told it). `expect` is what one application must leave on the family's customer, counted by
`footprint`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from arrears.payments.links import LinkRequest
from arrears.payments.secret import LinkSecret
from arrears.payments.unsubscribe import SignedUnsubscribeLinks
from arrears.providers.local.links import LocalPaymentLinks
from arrears.store.models import (
    Account,
    Case,
    ContactPoint,
    Conversation,
    Customer,
    Hold,
    Invoice,
    OptOut,
    OutboxAction,
    Outcome,
    Payment,
    Promise,
    Task,
)
from tests.reliability.replay_support import (
    OUR_NUMBER,
    PUBLIC_BASE,
    TWILIO_TOKEN,
    Input,
    Person,
    Send,
    now,
    timeline,
)

DISPUTE = "I never ordered this, it is not my debt"
EVENT_OK = frozenset({200, 202})  # 202 stored; 200 the same key and body again (Idempotent-Replayed)


@dataclass(frozen=True)
class Context:
    """What inputs are made from: the API key (events, chat), the database (read, and written only by the
    product's own link code), and the link secret the server signs with."""

    sessions: sessionmaker[Session]
    api_key: str
    link_secret: str


Stage = Callable[[Person, Context], list[Input]]


@dataclass(frozen=True)
class Family:
    name: str
    stages: tuple[Stage, ...]
    expect: Mapping[str, int] = field(default_factory=dict)


def _event(body_of: Callable[[Person], dict[str, Any]]) -> Stage:
    """POST /v1/events under a key of its own; the same body under a new key is a repeat too."""

    def stage(p: Person, ctx: Context) -> list[Input]:
        body = body_of(p)
        key = f"{body['type']}-{body.get('invoice_external_id', '')}-{p.index}"
        again = Input(f"{key} again", _post_event(f"{key}-new-key", body, ctx), EVENT_OK)
        first = _post_event(key, body, ctx)
        return [Input(f"{body['type']}#{p.index}", first, EVENT_OK, again)]

    return stage


def _post_event(key: str, body: dict[str, Any], ctx: Context) -> Send:
    headers = {"Authorization": f"Bearer {ctx.api_key}", "Idempotency-Key": key}
    return lambda c: c.post("/v1/events", json=body, headers=headers)


def _paid_before_invoiced(p: Person, ctx: Context) -> list[Input]:
    """Out of order across inputs: a payment on an account the next event creates. Applied first, it fails
    (unknown account) and is applied again once the account exists; never twice."""
    account, invoice = f"{p.account_id}-N", f"{p.invoice_id}-N"
    payment = _event(
        lambda p: {
            "type": "payment.received",
            "payment_external_id": f"PAY-N-{p.index}",
            "account_external_id": account,
            "currency": "USD",
            "amount": "20.00",
            "received_at": now().isoformat(),
        }
    )
    # Sent again under a new key too: a creation with no balance keeps what the payment took (docs/api.md).
    created = _event(lambda p: _invoice(p, account, invoice, "30.00"))
    return payment(p, ctx) + created(p, ctx)


def _invoice(p: Person, account: str, invoice: str, amount: str) -> dict[str, Any]:
    return {
        "type": "invoice.created",
        "customer_external_id": p.customer_id,
        "customer_name": f"Replay Customer {p.index}",
        "account_external_id": account,
        "invoice_external_id": invoice,
        "currency": "USD",
        "amount": amount,
        "issued_on": (now().date() - timedelta(days=20)).isoformat(),
        "due_on": (now().date() - timedelta(days=5)).isoformat(),
    }


def _twilio(name: str, path: str, form: dict[str, str], ok: int = 200, query: str = "") -> Input:
    """Signed exactly as Twilio signs: the public URL with its query, and the form's fields."""
    target = f"{path}?{query}" if query else path
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + target, form)
    headers = {"X-Twilio-Signature": signature}
    return Input(name, lambda c: c.post(target, data=form, headers=headers), frozenset({ok}))


def _text(words: str, tag: str, whatsapp: bool = False) -> Stage:
    prefix = "whatsapp:" if whatsapp else ""

    def stage(p: Person, ctx: Context) -> list[Input]:
        form = {"MessageSid": f"SM{tag}{p.index:08d}", "AccountSid": "AC" + "3" * 32}
        form |= {"From": prefix + p.phone, "To": prefix + OUR_NUMBER, "Body": words, "NumMedia": "0"}
        return [_twilio(f"twilio-{tag}#{p.index}", "/v1/twilio/messages", form)]

    return stage


def _status(p: Person, ctx: Context) -> list[Input]:
    form = {"MessageSid": f"SMst{p.index:08d}", "MessageStatus": "delivered", "AccountSid": "AC" + "3" * 32}
    return [_twilio(f"twilio-status#{p.index}", "/v1/twilio/messages/status", form, ok=204)]


def _call(p: Person) -> dict[str, str]:
    return {"CallSid": f"CA{p.index:032d}", "AccountSid": "AC" + "3" * 32, "From": p.phone, "To": OUR_NUMBER}


def _answer(p: Person, ctx: Context) -> list[Input]:
    form = _call(p) | {"CallStatus": "in-progress", "Direction": "inbound"}
    return [_twilio(f"voice-answer#{p.index}", "/v1/twilio/voice/answer", form)]


def _turn(p: Person, ctx: Context) -> list[Input]:
    with ctx.sessions() as session:
        conversation = session.scalar(
            select(Conversation.id).where(Conversation.provider_conversation_id == _call(p)["CallSid"])
        )
    assert conversation is not None, f"the answered call of customer {p.index} opened no conversation"
    form = _call(p) | {"CallStatus": "in-progress", "SpeechResult": DISPUTE, "Confidence": "0.9"}
    query = urlencode({"conversation": conversation, "turn": 0})
    return [_twilio(f"voice-turn#{p.index}", "/v1/twilio/voice/turn", form, query=query)]


def _hang_up(p: Person, ctx: Context) -> list[Input]:
    form = _call(p) | {"CallStatus": "completed", "CallDuration": "42"}
    return [_twilio(f"voice-status#{p.index}", "/v1/twilio/voice/status", form, ok=204)]


def _pay(p: Person, ctx: Context) -> list[Input]:
    """A link minted by the local provider's own code, as a send would (one per idempotency key)."""
    clock = timeline()
    links = LocalPaymentLinks(
        ctx.sessions, clock, PUBLIC_BASE, LinkSecret(ctx.sessions, clock, ctx.link_secret)
    )
    case_id, customer_id, balance = _case(ctx, p)
    request = LinkRequest(
        idempotency_key=f"replay-pay-{p.index}",
        case_id=case_id,
        customer_id=customer_id,
        amount_minor=balance,
        currency="USD",
        purpose="balance",
        expires_at=now() + timedelta(days=30),
        description=f"Invoice {p.invoice_id}",
    )
    path = links.link_for(request).url.removeprefix(PUBLIC_BASE)
    return [Input(f"pay#{p.index}", lambda c: c.post(path), frozenset({200}))]


def _unsubscribe(p: Person, ctx: Context) -> list[Input]:
    """The one-click URL of the agent's e-mailed answer to this customer (queued at once, whatever the
    hour; the worker's own reminders wait for the customer's morning)."""
    clock = timeline()
    links = SignedUnsubscribeLinks(PUBLIC_BASE, LinkSecret(ctx.sessions, clock, ctx.link_secret))
    case_id, _, _ = _case(ctx, p)
    with ctx.sessions() as session:
        key = session.scalar(
            select(OutboxAction.idempotency_key).where(
                OutboxAction.case_id == case_id, OutboxAction.channel == "email"
            )
        )
    assert key is not None, f"no e-mail was queued for customer {p.index}"
    path = links.url_for(key).removeprefix(PUBLIC_BASE)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        Input(
            f"unsubscribe#{p.index}",
            lambda c: c.post(path, content=b"List-Unsubscribe=One-Click", headers=headers),
            frozenset({200}),
        )
    ]


def _chat_open(p: Person, ctx: Context) -> list[Input]:
    case_id, _, _ = _case(ctx, p)
    headers = {"Authorization": f"Bearer {ctx.api_key}", "Idempotency-Key": f"open-{p.index}"}
    body = {"case_id": case_id}
    return [
        Input(
            f"chat-open#{p.index}", lambda c: c.post("/v1/chat", json=body, headers=headers), frozenset({201})
        )
    ]


def _chat_say(p: Person, ctx: Context) -> list[Input]:
    with ctx.sessions() as session:
        conversation = session.scalar(
            select(Conversation.id).where(
                Conversation.provider == "web",
                Conversation.provider_conversation_id == f"open:open-{p.index}",
            )
        )
    assert conversation is not None, f"the chat of customer {p.index} was not opened"
    headers = {"Authorization": f"Bearer {ctx.api_key}", "Idempotency-Key": f"say-{p.index}"}
    path = f"/v1/chat/{conversation}/messages"
    return [
        Input(
            f"chat-say#{p.index}",
            lambda c: c.post(path, json={"text": DISPUTE}, headers=headers),
            frozenset({200}),
        )
    ]


def _case(ctx: Context, p: Person) -> tuple[str, str, int]:
    with ctx.sessions() as session:
        row = session.execute(
            select(Case.id, Case.customer_id, Case.balance_minor)
            .join(Customer, Customer.id == Case.customer_id)
            .where(Customer.external_id == p.customer_id)
        ).one()
    return str(row.id), str(row.customer_id), int(row.balance_minor)


def _relay(kind: str, words: str, sender: Callable[[Person], str], channel: str = "sms") -> Stage:
    return _event(
        lambda p: {
            "type": "message.received",
            "message_id": f"relay-{kind}-{p.index}",
            "channel": channel,
            "sender": sender(p),
            "recipient": OUR_NUMBER if channel == "sms" else "collections@example.com",
            "text": words,
        }
    )


#: A dispute: its conversation ends in one outcome, one dispute task and one hold (the planner then asks
#: for the hold's review with a task of its own, which is not the dispute's).
DISPUTED = {"conversations": 1, "outcomes": 1, "dispute_tasks": 1, "holds": 1}
FAMILIES = (
    Family(
        "invoice.created",
        (_event(lambda p: _invoice(p, p.account_id, f"{p.invoice_id}-B", "30.00")),),
        {"invoices": 2, "balance": 15000},
    ),
    Family(
        "payment before its account",
        (_paid_before_invoiced,),
        {"payments": 1, "invoices": 2, "balance": 13000},
    ),
    Family(
        "invoice.updated",
        (
            _event(
                lambda p: {
                    "type": "invoice.updated",
                    "invoice_external_id": p.invoice_id,
                    "balance": "100.00",
                }
            ),
        ),
        {"invoices": 1, "balance": 10000},
    ),
    Family(
        "invoice.paid",
        (_event(lambda p: {"type": "invoice.paid", "invoice_external_id": p.invoice_id}),),
        {"payments": 0, "balance": 0},
    ),
    Family(
        "payment.received",
        (
            _event(
                lambda p: {
                    "type": "payment.received",
                    "payment_external_id": f"PAY-{p.index}",
                    "account_external_id": p.account_id,
                    "currency": "USD",
                    "amount": "20.00",
                    "received_at": now().isoformat(),
                }
            ),
        ),
        {"payments": 1, "balance": 10000},
    ),
    Family(
        "customer.updated",
        (
            _event(
                lambda p: {
                    "type": "customer.updated",
                    "customer_external_id": p.customer_id,
                    "email": f"new{p.index}@example.com",
                }
            ),
        ),
        {"contact_points": 3, "balance": 12000},
    ),
    Family("message.received sms dispute", (_relay("dispute", DISPUTE, lambda p: p.phone),), DISPUTED),
    Family("message.received sms STOP", (_relay("stop", "STOP", lambda p: p.phone),), {"opt_outs": 1}),
    Family(
        "message.received email dispute", (_relay("mail", DISPUTE, lambda p: p.email, "email"),), DISPUTED
    ),
    Family("twilio text dispute", (_text(DISPUTE, "dp"),), DISPUTED),
    Family("twilio text STOP", (_text("STOP", "st"),), {"opt_outs": 1}),
    Family("twilio WhatsApp dispute", (_text(DISPUTE, "wa", whatsapp=True),), DISPUTED),
    Family("twilio message status", (_status,), {}),
    Family("twilio call", (_answer, _turn, _hang_up), {"conversations": 1, "outcomes": 1}),
    Family("payment page", (_pay,), {"payments": 1, "balance": 0}),
    Family(
        "one-click unsubscribe",
        (_relay("hello", "Hello, who is this?", lambda p: p.email, "email"), _unsubscribe),
        {"opt_outs": 1, "conversations": 1},
    ),
    Family("web chat", (_chat_open, _chat_say), {"conversations": 1, "outcomes": 1}),
)


def footprint(session: Session, p: Person) -> dict[str, int]:
    """What is stored about one customer, counted per kind of record."""
    customer = select(Customer.id).where(Customer.external_id == p.customer_id).scalar_subquery()
    accounts = select(Account.id).where(Account.customer_id == customer)
    cases = select(Case.id).where(Case.customer_id == customer)
    queries: dict[str, Any] = {
        "invoices": select(func.count()).select_from(Invoice).where(Invoice.account_id.in_(accounts)),
        "payments": select(func.count()).select_from(Payment).where(Payment.account_id.in_(accounts)),
        "opt_outs": select(func.count()).select_from(OptOut).where(OptOut.customer_id == customer),
        "holds": select(func.count()).select_from(Hold).where(Hold.customer_id == customer),
        "tasks": select(func.count()).select_from(Task).where(Task.case_id.in_(cases)),
        "dispute_tasks": select(func.count())
        .select_from(Task)
        .where(Task.case_id.in_(cases), Task.reason == "dispute"),
        "outcomes": select(func.count()).select_from(Outcome).where(Outcome.case_id.in_(cases)),
        "promises": select(func.count()).select_from(Promise).where(Promise.case_id.in_(cases)),
        "conversations": select(func.count())
        .select_from(Conversation)
        .where(Conversation.customer_id == customer),
        "contact_points": select(func.count())
        .select_from(ContactPoint)
        .where(ContactPoint.customer_id == customer),
        "outbox_actions": select(func.count())
        .select_from(OutboxAction)
        .where(OutboxAction.customer_id == customer),
    }
    found = {name: int(session.scalar(query) or 0) for name, query in queries.items()}
    balance = select(func.sum(Case.balance_minor)).where(Case.customer_id == customer)
    return found | {"balance": int(session.scalar(balance) or 0)}
