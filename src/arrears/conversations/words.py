"""One path for a customer's words, whatever carried them (a Twilio text, an e-mail, a relayed message).

A revocation keyword is handled before anything else: a STOP on its own is an opt-out of that channel,
recorded in this very transaction (it binds the next dispatch) and confirmed once; a keyword inside a
longer sentence suppresses the channel and asks a person (RULES.md: suppress first, then a person
decides). Any other words go to the conversation service as a turn. The agent's answer is queued in the
outbox as a reply, so it leaves through the dispatcher and the contact gate like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.agent.dialogue import Routing
from arrears.cases.opt_outs import record_opt_out
from arrears.cases.status import CaseStatus
from arrears.compliance.checks import normalise_destination
from arrears.compliance.keywords import KeywordMatch, detect_revocation
from arrears.compliance.model import Purpose
from arrears.conversations.service import ConversationService
from arrears.core.ids import idempotency_key, new_id
from arrears.holds import HoldSpec, place
from arrears.inbox import take_once
from arrears.outbox import OutboxStatus, queue_actions
from arrears.store.models import Case, ContactPoint, OptOut
from arrears.tasks import TaskSpec, open_task

HEARD = "message.heard"  # the inbox kind of the note that a provider's message id was taken in
REPLY_TEMPLATE = "conversation-reply"
CONFIRMATION_TEMPLATE = "opt-out-confirmation"
_KEYWORD_CHANNELS = ("sms", "whatsapp", "email")
_DESTINATION_KIND = {"sms": "mobile", "whatsapp": "mobile", "email": "personal_email"}


@dataclass(frozen=True, slots=True)
class Words:
    """What a customer wrote, and where: `thread` pairs their address with ours."""

    channel: str  # sms | whatsapp | email | chat
    provider: str  # who carried it (twilio, api, ...): with message_id, its identity
    message_id: str
    sender: str  # their number (E.164, maybe whatsapp:-prefixed) or e-mail address
    recipient: str  # our number or address
    text: str
    case_id: str | None = None  # when the relaying system knows it

    @property
    def thread(self) -> str:
        return f"{self.sender.removeprefix('whatsapp:')}|{self.recipient.removeprefix('whatsapp:')}"


@dataclass(frozen=True, slots=True)
class Heard:
    reply: str | None
    conversation_id: str | None = None
    case_id: str | None = None
    customer_id: str | None = None
    revocation: bool = False  # a stop keyword was heard (an opt-out, or a suppression for a person to judge)
    opted_out: bool = False  # the keyword stood alone: the reply is the one confirmation the rules allow
    replayed: bool = False
    known: bool = True  # False: nobody on file writes from there (nothing was written)


class WordsService:
    def __init__(self, conversations: ConversationService) -> None:
        self.conversations = conversations

    def hear(self, session: Session, words: Words, now: datetime) -> Heard:
        """Apply the words once per (provider, message id), for good: a redelivery, under any delivery id and
        after its conversation ended, is answered from the note of the first and changes nothing."""
        taken = take_once(
            session, source=f"heard:{words.provider}", external_id=words.message_id, kind=HEARD, now=now
        )
        if not taken.created:
            return _heard_before(taken.event.result or {})
        heard = self._apply(session, words, now)
        taken.event.result = {
            "conversation_id": heard.conversation_id,
            "case_id": heard.case_id,
            "customer_id": heard.customer_id,
            "known": heard.known,
        }
        return heard

    def _apply(self, session: Session, words: Words, now: datetime) -> Heard:
        match = detect_revocation(words.text) if words.channel in _KEYWORD_CHANNELS else None
        if match is not None:
            heard = self._revocation(session, words, match, now)
        else:
            result = self.conversations.message(
                session,
                channel=words.channel,
                provider=words.provider,
                thread=words.thread,
                message_id=words.message_id,
                sender=words.sender.removeprefix("whatsapp:"),
                text=words.text,
                now=now,
                case_id=words.case_id,
            )
            if result is None:
                return Heard(None, known=False)
            heard = Heard(
                result.reply or None,
                result.conversation_id,
                result.case_id,
                result.customer_id,
                replayed=result.replayed,
            )
        if (
            heard.reply
            and heard.case_id
            and heard.customer_id
            and not heard.replayed
            and words.channel != "chat"
        ):
            _queue_reply(session, words, heard, now)
        return heard

    def _revocation(self, session: Session, words: Words, match: KeywordMatch, now: datetime) -> Heard:
        customers = _customers(session, words.sender)
        source = f"{words.provider}:{words.message_id}"
        replayed = session.scalar(select(OptOut.id).where(OptOut.source == source).limit(1)) is not None
        scope = match.medium or words.channel
        case = _open_case(session, customers)
        if customers and not replayed:
            if match.per_se:
                record_opt_out(
                    session,
                    customers,
                    channel=scope,
                    destination=None,
                    reason="revocation",
                    source=source,
                    now=now,
                )
            else:
                _suppress_and_ask(session, customers, scope, words, now)
            active = self.conversations.active_on_thread(session, words.channel, words.thread)
            if active is not None:
                self.conversations.abandon(session, active, now, "revocation keyword", Routing.CLOSED)
        name = self.conversations.config.business_name
        reply = (
            f"You're unsubscribed: {name} will send no more messages here."
            if match.per_se
            else "Thanks. A member of our team will review your message before we contact you again."
        )
        return Heard(
            reply,
            case_id=case[0] if case else None,
            customer_id=case[1] if case else None,
            revocation=True,
            opted_out=match.per_se,
            replayed=replayed,
            known=bool(customers),
        )


def _heard_before(note: dict[str, object]) -> Heard:
    def text(name: str) -> str | None:
        value = note.get(name)
        return str(value) if value is not None else None

    return Heard(
        None,
        text("conversation_id"),
        text("case_id"),
        text("customer_id"),
        replayed=True,
        known=bool(note.get("known", True)),
    )


def _queue_reply(session: Session, words: Words, heard: Heard, now: datetime) -> None:
    assert heard.case_id is not None and heard.customer_id is not None
    template = CONFIRMATION_TEMPLATE if heard.opted_out else REPLY_TEMPLATE
    purpose = Purpose.OPT_OUT_CONFIRMATION if heard.opted_out else Purpose.REPLY
    queue_actions(
        session,
        [
            {
                "id": new_id(),
                "idempotency_key": idempotency_key("reply", words.provider, words.message_id),
                "case_id": heard.case_id,
                "customer_id": heard.customer_id,
                "kind": "reply",
                "step_id": template,
                "channel": words.channel,
                "destination": words.sender.removeprefix("whatsapp:"),
                "destination_kind": _DESTINATION_KIND.get(words.channel, "unknown"),
                "template": template,
                "payload": {
                    "purpose": purpose.value,
                    "tone": "neutral",
                    "text": heard.reply,
                    "conversation_id": heard.conversation_id,
                    "in_reply_to": words.message_id,
                    "reason": "the agent's answer to the customer",
                },
                "status": OutboxStatus.PENDING.value,
                "not_before": now,
                "attempts": 0,
                "created_at": now,
            }
        ],
    )


def _customers(session: Session, sender: str) -> list[str]:
    bare = sender.removeprefix("whatsapp:").strip()
    if "@" in bare:
        query = select(ContactPoint.customer_id).where(
            ContactPoint.channel == "email", ContactPoint.value == bare
        )
    else:
        values = {bare, normalise_destination(bare)}
        query = select(ContactPoint.customer_id).where(
            ContactPoint.channel.in_(("phone", "whatsapp")), ContactPoint.value.in_(values)
        )
    return list(session.scalars(query.distinct()))


def _open_case(session: Session, customers: list[str]) -> tuple[str, str] | None:
    if not customers:
        return None
    row = session.execute(
        select(Case.id, Case.customer_id)
        .where(Case.customer_id.in_(customers), Case.status != CaseStatus.CLOSED.value)
        .order_by(Case.opened_at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _suppress_and_ask(
    session: Session, customers: list[str], scope: str, words: Words, now: datetime
) -> None:
    cases = session.execute(
        select(Case.id, Case.customer_id).where(
            Case.customer_id.in_(customers), Case.status != CaseStatus.CLOSED.value
        )
    ).all()
    holds = [
        place(
            session,
            HoldSpec(
                customer_id, case_id, "review", "possible revocation: a person decides", "channel", scope
            ),
            actor="agent",
            now=now,
        )
        for case_id, customer_id in cases
    ]
    summary = f"A {scope} reply used a stop word inside a sentence. Decide whether it revokes."
    spec = TaskSpec(
        idempotency_key=idempotency_key("revocation", words.provider, words.message_id),
        case_id=cases[0][0] if cases else None,
        reason="possible_revocation",
        summary=summary,
        priority=1,
        context={
            "message_id": words.message_id,
            "channel": scope,
            "hold_kinds": ["review"],
            "hold_ids": holds,
        },
    )
    open_task(session, spec, actor="agent", now=now)
