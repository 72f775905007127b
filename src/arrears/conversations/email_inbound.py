"""Applying an inbound e-mail, whoever carried it (a Mailgun route today, IMAP polling later).

A delivery status notification is a bounce: the send it names (by Message-ID, envelope id or our
idempotency key) is marked failed once, publishing message.failed, and a hard bounce marks the address
undeliverable. A soft bounce only notes the delay on the send. An automatic reply (out of office) and a
bounce without a readable report change nothing. Anything else is the customer's words, heard through the
one path for words (`WordsService.hear`): the case is the one our answered message belongs to when the
writer's address is on file for that customer; a reply from an address we do not hold is never answered
(a debt is not discussed with a stranger) but given to a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arrears.conversations.words import Words, WordsService
from arrears.core.ids import idempotency_key
from arrears.customers import mark_undeliverable
from arrears.inbox import PermanentError
from arrears.interactions.bounces import Bounce, read_dsn
from arrears.interactions.delivery import DeliveryReport, DeliveryState, record_delivery
from arrears.interactions.email_text import (
    answered_ids,
    is_auto_reply,
    is_robot,
    new_text,
    plain_body,
    sender_address,
)
from arrears.store.models import ContactPoint, Interaction, OutboxAction
from arrears.tasks import TaskSpec, open_task

_KEY_LENGTH = 64  # outbox_actions.idempotency_key


@dataclass(frozen=True, slots=True)
class InboundEmail:
    provider: str  # who carried it: with message_id, its identity
    message: Message  # headers and body parts (the full MIME, or what the provider parsed)
    message_id: str  # its Message-ID without brackets, else the provider's delivery id
    recipient: str  # our address it was sent to (the envelope recipient)
    envelope_sender: str = ""  # MAIL FROM: empty or <> for a bounce
    stripped_text: str | None = None  # the new text, when the provider already cut the quoted history


def apply_inbound(
    session: Session, words: WordsService, email: InboundEmail, now: datetime
) -> dict[str, Any]:
    """Apply one inbound e-mail; returns what it did (kept on the inbox row)."""
    bounce = read_dsn(email.message)
    if bounce is not None:
        return apply_bounce(session, bounce, now)
    if is_robot(email.message, email.envelope_sender):
        return {"ignored": "a bounce without a delivery-status report"}
    if is_auto_reply(email.message):
        return {"ignored": "an automatic reply"}
    return _hear(session, words, email, now)


def apply_bounce(session: Session, bounce: Bounce, now: datetime) -> dict[str, Any]:
    """Fail the bounced send once and, for a hard bounce about the mailbox, condemn the address."""
    keys = [bounce.idempotency_key, bounce.envelope_id, *(i.split("@", 1)[0] for i in bounce.message_ids)]
    original = find_outbound(session, bounce.message_ids, [k for k in keys if k])
    result: dict[str, Any] = {
        "bounce": "hard" if bounce.hard else "soft",
        "status": bounce.status,
        "interaction_id": original.id if original is not None else None,
    }
    if bounce.action == "delivered":  # a success report (NOTIFY=SUCCESS): the send arrived
        if original is not None and original.provider and original.provider_id:
            report = DeliveryReport(original.provider, original.provider_id, DeliveryState.DELIVERED, now)
            result["delivered"] = record_delivery(session, report)
        return {**result, "bounce": None}
    if not bounce.hard:
        if original is not None:
            soft = {"action": bounce.action, "status": bounce.status, "at": now.isoformat()}
            original.detail = {**(original.detail or {}), "soft_bounce": soft}
        return result
    if original is not None and original.provider and original.provider_id:
        report = DeliveryReport(
            original.provider,
            original.provider_id,
            DeliveryState.FAILED,
            now,
            bounce.status,
            facts={"bounce": bounce.reason},
        )
        result["failed"] = record_delivery(session, report)
    address = (original.destination if original is not None else None) or bounce.recipient
    if address and bounce.condemns_address:
        result["undeliverable"] = mark_undeliverable(session, "email", address, bounce.reason, now)
    return result


def find_outbound(session: Session, ids: Iterable[str], keys: Iterable[str]) -> Interaction | None:
    """Our newest outbound e-mail with one of these Message-IDs (stored with or without brackets) or
    sent for one of these outbox idempotency keys."""
    bare = [i for i in ids if i]
    provider_ids = bare + [f"<{i}>" for i in bare]
    wanted_keys = [k for k in keys if k and len(k) <= _KEY_LENGTH]
    if not provider_ids and not wanted_keys:
        return None
    by_key = select(OutboxAction.id).where(OutboxAction.idempotency_key.in_(wanted_keys or [""]))
    return session.scalars(
        select(Interaction)
        .where(
            Interaction.direction == "outbound",
            Interaction.channel == "email",
            or_(Interaction.provider_id.in_(provider_ids or [""]), Interaction.outbox_id.in_(by_key)),
        )
        .order_by(Interaction.occurred_at.desc())
        .limit(1)
    ).first()


def _hear(session: Session, words: WordsService, email: InboundEmail, now: datetime) -> dict[str, Any]:
    sender = sender_address(email.message, email.envelope_sender)
    if not sender:
        raise PermanentError("from", "the e-mail names no sender address")
    text = email.stripped_text if email.stripped_text is not None else new_text(plain_body(email.message))
    if not text.strip():
        return {"ignored": "no new text above the quoted history"}
    answered = find_outbound(session, answered_ids(email.message), ())
    case_id = None
    if answered is not None:
        if not _holds(session, answered.customer_id, sender):
            return _stranger(session, email, answered, now)
        case_id = answered.case_id
    heard = words.hear(
        session,
        Words(
            channel="email",
            provider=email.provider,
            message_id=email.message_id,
            sender=sender,
            recipient=email.recipient,
            text=text.strip(),
            case_id=case_id,
        ),
        now,
    )
    return {
        "conversation_id": heard.conversation_id,
        "known": heard.known,
        "replied": bool(heard.reply),
        "matched_by": "in-reply-to" if case_id else "sender",
    }


def _holds(session: Session, customer_id: str, address: str) -> bool:
    found = session.scalar(
        select(ContactPoint.id)
        .where(
            ContactPoint.customer_id == customer_id,
            ContactPoint.channel == "email",
            func.lower(ContactPoint.value) == address,
        )
        .limit(1)
    )
    return found is not None


def _stranger(session: Session, email: InboundEmail, answered: Interaction, now: datetime) -> dict[str, Any]:
    """Someone answered our message from an address the customer never gave us: a person reads it."""
    spec = TaskSpec(
        idempotency_key=idempotency_key("email-unknown-sender", email.provider, email.message_id),
        case_id=answered.case_id,
        reason="reply_from_unknown_address",
        summary="A reply to our e-mail came from an address not on file. Read it before anyone answers.",
        priority=2,
        context={"message_id": email.message_id, "interaction_id": answered.id, "channel": "email"},
    )
    return {"task_id": open_task(session, spec, actor="agent", now=now), "known": False}
