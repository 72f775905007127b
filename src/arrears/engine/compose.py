"""The one way an outbox action becomes the words a customer reads: the dispatcher sends them and `review
list` shows them, so what a person approves is what leaves.

The text itself belongs to `arrears.messages`; this gathers its facts from the case, the action's payload
and the gate's decision, and says which payment link the message needs (made by the caller right before the
send, never by a preview).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.casefacts.model import CaseFacts
from arrears.channels.base import OutboundMessage
from arrears.compliance.rendering import RenderedDisclosures
from arrears.engine.notices import VALIDATION_STEP, printed_validation_end
from arrears.messages.address import PostalAddress
from arrears.messages.config import MessageConfig
from arrears.messages.formatting import day, money
from arrears.messages.load import PrintedFacts
from arrears.messages.names import display_name
from arrears.messages.render import (
    REPLY_TEMPLATES,
    UNSUBSCRIBE_SLOT,
    InvoiceLine,
    MessageRequest,
    OfferTerms,
    render_message,
)
from arrears.payments.links import LinkRequest, PaymentLinks, UnsubscribeLinks

#: Purposes whose message answers or confirms something the customer wrote: no payment link is added.
_NO_LINK_PURPOSES = ("reply", "opt_out_confirmation", "cease_confirmation")


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str | None
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # see `template_fields`


def wants_payment_link(channel: str, template: str, payload: Mapping[str, Any]) -> bool:
    """A step that asks for a link gets one; so does every written collection message (a link is the one
    safe way to pay); an answer to the customer's own words or a confirmation does not."""
    if payload.get("payment_link"):
        return True
    return (
        channel in ("sms", "email", "whatsapp")
        and payload.get("purpose") not in _NO_LINK_PURPOSES
        and template not in REPLY_TEMPLATES
    )


def local_today(facts: CaseFacts, now: datetime) -> date:
    return now.astimezone(_zone(facts.time_zone)).date()


def link_request(
    *,
    idempotency_key: str,
    facts: CaseFacts,
    printed: PrintedFacts | None,
    payload: Mapping[str, Any],
    now: datetime,
    validity: timedelta,
) -> LinkRequest:
    """The link this message quotes: the offer's amount until its last local day, else the balance."""
    offer = _offer(payload, facts, local_today(facts, now))
    numbers = [i.number for i in _past_due(printed, facts, local_today(facts, now))]
    description = f"Invoices {', '.join(numbers)}" if numbers else f"Balance of account {facts.account_id}"
    if offer is not None:
        zone = _zone(facts.time_zone)
        ends = datetime.combine(offer.last_day + timedelta(days=1), time(0), zone).astimezone(UTC)
        return LinkRequest(
            idempotency_key, facts.case_id, facts.customer_id, offer.pay_minor, facts.currency, "offer", ends,
            description,
        )  # fmt: skip
    return LinkRequest(
        idempotency_key, facts.case_id, facts.customer_id, facts.balance_minor, facts.currency, "balance",
        now + validity, description,
    )  # fmt: skip


def compose(
    *,
    template: str,
    step_id: str,
    channel: str,
    payload: Mapping[str, Any],
    facts: CaseFacts,
    printed: PrintedFacts | None,
    decision: Mapping[str, Any],
    disclosures: RenderedDisclosures,
    config: MessageConfig,
    now: datetime,
    link: str | None,
    unsubscribe_url: str | None,
) -> Composed:
    """Render an action for its case as it stands and the gate's decision of this moment.

    Raises `arrears.messages.render.MessageError` for an unknown template or an unfilled variable."""
    today = local_today(facts, now)
    ids = [str(d) for d in decision.get("disclosures") or ()]
    ends = decision.get("validation_period_end")
    if step_id == VALIDATION_STEP:
        ends = printed_validation_end(payload, decision)
    validation_end = date.fromisoformat(str(ends)) if ends else None
    address = facts.address
    request = MessageRequest(
        template=template,
        channel=channel,
        tone=str(payload.get("tone", "neutral")),
        business=config.business,
        customer_name=facts.customer_name,
        customer_kind=facts.customer_kind,
        locale=facts.locale,
        balance_minor=facts.balance_minor,
        currency=facts.currency,
        days_past_due=max(0, (today - facts.oldest_due_on).days),
        today=today,
        invoices=_past_due(printed, facts, today),
        address=PostalAddress(
            printed.address_line1 if printed else None,
            printed.address_line2 if printed else None,
            address.city,
            address.state,
            address.postal_code,
            address.country,
        ),
        offer=_offer(payload, facts, today),
        promise=(facts.promise.amount_minor, facts.promise.due_on) if facts.promise else None,
        link=link if wants_payment_link(channel, template, payload) else None,
        disclosures=tuple((i, disclosures.texts[i]) for i in ids if disclosures.texts.get(i)),
        unsubscribe_url=unsubscribe_url,
        validation_end=validation_end,
        reply=str(payload.get("text") or ""),
    )
    message = render_message(request, config.templates)
    return Composed(
        message.subject,
        message.text,
        message.html,
        _headers(channel, disclosures, config, unsubscribe_url),
        template_fields(request, message.text),
    )


def template_fields(request: MessageRequest, body: str) -> dict[str, str]:
    """The named values a message carries, formatted for its reader: what a provider's own template (an
    approved WhatsApp template) is filled from. Absent facts are left out, never sent empty."""
    loc = request.locale
    fields = {
        "body": body,
        "customer_name": display_name(request.customer_name, request.customer_kind),
        "business_name": request.business.name,
        "business_phone": request.business.phone or "",
        "balance": money(request.balance_minor, request.currency, loc),
        "days_past_due": str(request.days_past_due),
        "today": day(request.today, loc),
        "link": request.link or "",
    }
    if request.promise is not None:
        fields["promise_amount"] = money(request.promise[0], request.currency, loc)
        fields["promise_date"] = day(request.promise[1], loc)
    return {name: value for name, value in fields.items() if value}


def _headers(
    channel: str, disclosures: RenderedDisclosures, config: MessageConfig, unsubscribe_url: str | None
) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe on every email; a profile's own headers take precedence."""
    if channel != "email":
        return {}
    targets = [f"<{unsubscribe_url}>"] if unsubscribe_url else []
    if config.unsubscribe_mailto:
        targets.append(f"<mailto:{config.unsubscribe_mailto}>")
    headers: dict[str, str] = {}
    if targets:
        headers["List-Unsubscribe"] = ", ".join(targets)
        if unsubscribe_url:
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in disclosures.headers.items():
        if UNSUBSCRIBE_SLOT in value and not unsubscribe_url:
            continue  # a profile header naming a URL this message has none for: ours stands
        headers[name] = value.replace(UNSUBSCRIBE_SLOT, unsubscribe_url or "")
    return headers


def _offer(payload: Mapping[str, Any], facts: CaseFacts, today: date) -> OfferTerms | None:
    """The planned offer while it holds: not past its last day, and still below the balance now due."""
    offer = payload.get("offer")
    if not isinstance(offer, Mapping):
        return None
    last_day = date.fromisoformat(str(offer["expires_on"]))
    pay, discount = int(offer["pay_minor"]), int(offer["discount_minor"])
    if (
        last_day < today
        or pay >= facts.balance_minor
        or str(offer.get("currency", facts.currency)) != facts.currency
    ):
        return None
    return OfferTerms(pay, discount, last_day)


def _past_due(printed: PrintedFacts | None, facts: CaseFacts, today: date) -> tuple[InvoiceLine, ...]:
    """The invoices the balance is made of: past due, in the case's currency (cases.sync sums the same)."""
    invoices = printed.invoices if printed else ()
    return tuple(i for i in invoices if i.currency == facts.currency and i.due_on < today)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Links:
    payments: PaymentLinks | None
    unsubscribe: UnsubscribeLinks | None


class _Sender(Protocol):
    messages: MessageConfig
    disclosures_for: Callable[[CaseFacts, Mapping[str, Any]], RenderedDisclosures]


def outbound(
    row: Any,
    facts: CaseFacts,
    printed: PrintedFacts | None,
    decision: Mapping[str, Any],
    sender: _Sender,
    links: Links,
    now: datetime,
) -> OutboundMessage:
    """The message of outbox `row` as it leaves at `now`: its payment link made here (the caller holds no
    transaction), keyed by the row's idempotency key so a retried send quotes the same link."""
    config = sender.messages
    link = None
    if links.payments is not None and wants_payment_link(row.channel, row.template, row.payload):
        request = link_request(
            idempotency_key=row.idempotency_key,
            facts=facts,
            printed=printed,
            payload=row.payload,
            now=now,
            validity=config.link_validity,
        )
        link = links.payments.link_for(request).url
    composed = compose(
        template=row.template,
        step_id=row.step_id,
        channel=row.channel,
        payload=row.payload,
        facts=facts,
        printed=printed,
        decision=decision,
        disclosures=sender.disclosures_for(facts, decision),
        config=config,
        now=now,
        link=link,
        unsubscribe_url=links.unsubscribe.url_for(row.idempotency_key) if links.unsubscribe else None,
    )
    return OutboundMessage(
        idempotency_key=row.idempotency_key,
        channel=row.channel,
        destination=row.destination,
        body=composed.body,
        subject=composed.subject,
        headers=composed.headers,
        case_id=row.case_id,
        customer_id=row.customer_id,
        html=composed.html,
        sent_at=now,
        sender_name=config.business.name,
        template=row.template,
        fields=composed.fields,
    )
