"""The payment link a chat shows in the conversation itself (texts and e-mail get theirs through the
outbox, judged by the contact gate)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from arrears.agent.dialogue import CaseContext, OfferSettlement
from arrears.core.ids import idempotency_key
from arrears.payments import LinkRequest, PaymentLinksInSession
from arrears.store.models import Conversation


def inline_link(
    payment_links: PaymentLinksInSession | None,
    link_validity: timedelta,
    session: Session,
    conv: Conversation,
    ctx: CaseContext,
    turn_key: str,
    now: datetime,
    settlement: OfferSettlement | None,
) -> str:
    """The link shown in the chat itself, one per turn: a redelivered turn quotes the same URL. An
    agreed settlement's link is for its amount and holds to the end of its last day anywhere."""
    if payment_links is None or ctx.balance.minor <= 0:
        return "We will send you a secure payment link."
    invoices = ", ".join(ctx.invoice_numbers)
    amount, purpose, expires = ctx.balance, "balance", now + link_validity
    if settlement is not None:
        amount, purpose = settlement.amount, "offer"
        expires = datetime.combine(settlement.last_day + timedelta(days=1), time(12), UTC)
    issued = payment_links.link_in(
        session,
        LinkRequest(
            idempotency_key=idempotency_key("chat-link", conv.id, turn_key),
            case_id=conv.case_id,
            customer_id=conv.customer_id,
            amount_minor=amount.minor,
            currency=amount.currency,
            purpose=purpose,
            expires_at=expires,
            description=f"Invoices {invoices}" if invoices else "Your balance",
        ),
    )
    return f"Pay securely: {issued.url}"
