"""One conversation path for every transport: a Twilio call, an SMS or WhatsApp thread, the web chat and
the terminal all open, advance and finish conversations here.

A turn is: lock the conversation row, drop it if its turn key was already applied (a webhook replay
answers with the last reply and writes nothing), build the case context from the store, understand, step
the pure dialogue, apply its actions, save the new state, and on the last turn write the outcome under the
conversation's provider id (the call SID, the first message SID) so a replay cannot write it twice. The
caller owns the transaction: everything a turn does commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from arrears.agent import Understanding, understand
from arrears.agent.dialogue import (
    CaseContext,
    ConversationState,
    Outcome,
    Routing,
    Stage,
    Step,
    Turn,
    Urgency,
    start,
    step,
    voicemail,
)
from arrears.audit import record
from arrears.compliance.checks import normalise_destination
from arrears.conversations.codec import decode, encode, transcript_text
from arrears.conversations.context import AgentConfig, build_context
from arrears.conversations.effects import Where, apply_actions
from arrears.conversations.outcomes import abandoned_outcome, write_outcome
from arrears.core.ids import new_id
from arrears.store.models import Case, ContactPoint, Conversation, Interaction

UnderstandFn = Callable[..., Understanding]
SEEN_LIMIT = 64


@dataclass(frozen=True, slots=True)
class TurnResult:
    conversation_id: str
    reply: str
    ended: bool
    replayed: bool = False
    outcome_id: str | None = None
    transfer_summary: str | None = None


class ConversationNotFound(LookupError):
    pass


def default_payment_link(case_id: str) -> str:
    return f"https://pay.arrears.local/c/{case_id}"


def first_turn(ctx: CaseContext, u: Understanding) -> Step:
    """The customer wrote first (a reply to a text, a new chat): their words are a turn, but not an
    answer to "am I speaking with ...?", which they have not been asked yet. Anything protective in them
    (card data, escalation, stop, wrong party) still acts at once; otherwise the agent asks who they are."""
    opening = start(ctx)
    answered = step(opening.state, u, ctx)
    heard = Turn("customer", u.redacted)
    if answered.outcome is None and answered.state.stage is Stage.OPENING:
        state = replace(answered.state, attempts=0, transcript=(heard, Turn("agent", opening.reply)))
        return Step(state, opening.reply, ())
    # The opening was never sent: keep the transcript to what was said.
    return replace(answered, state=replace(answered.state, transcript=answered.state.transcript[1:]))


class ConversationService:
    def __init__(
        self,
        config: AgentConfig | None = None,
        *,
        understand_fn: UnderstandFn = understand,
        payment_link: Callable[[str], str] = default_payment_link,
    ) -> None:
        self.config = config or AgentConfig()
        self.understand = understand_fn
        self.payment_link = payment_link

    # Lookups ------------------------------------------------------------------------------------------

    def find(self, session: Session, provider: str, provider_conversation_id: str) -> Conversation | None:
        query = select(Conversation).where(
            Conversation.provider == provider,
            Conversation.provider_conversation_id == provider_conversation_id,
        )
        return session.scalars(query.with_for_update()).one_or_none()

    def active_on_thread(self, session: Session, channel: str, thread: str) -> Conversation | None:
        """The conversation running on a text thread, locked (a thread has at most one active)."""
        query = select(Conversation).where(
            Conversation.channel == channel, Conversation.thread == thread, Conversation.status == "active"
        )
        return session.scalars(query.with_for_update()).one_or_none()

    def get(self, session: Session, conversation_id: str) -> Conversation | None:
        query = select(Conversation).where(Conversation.id == conversation_id)
        return session.scalars(query.with_for_update()).one_or_none()

    def case_for_number(self, session: Session, number: str) -> tuple[str, str] | None:
        """The newest open case of the customer whose phone or WhatsApp number this is."""
        bare = normalise_destination(number.removeprefix("whatsapp:"))
        row = session.execute(
            select(Case.id, Case.customer_id)
            .join(ContactPoint, ContactPoint.customer_id == Case.customer_id)
            .where(
                ContactPoint.channel.in_(("phone", "whatsapp")),
                ContactPoint.value.in_({bare, number.removeprefix("whatsapp:")}),
                Case.status != "closed",
            )
            .order_by(Case.opened_at.desc())
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else None

    # Opening ------------------------------------------------------------------------------------------

    def open(
        self,
        session: Session,
        *,
        case_id: str,
        channel: str,
        provider: str,
        provider_conversation_id: str,
        now: datetime,
        destination: str | None = None,
        thread: str | None = None,
        outbox_id: str | None = None,
    ) -> TurnResult:
        """The agent speaks first (a call was answered, a chat opened). Opening twice returns the first."""
        existing = self.find(session, provider, provider_conversation_id)
        if existing is not None:
            return _replay(existing)
        ctx = build_context(session, case_id, channel, now, self.config, outbox_id=outbox_id)
        opening = start(ctx)
        conv = self._create(
            session, case_id, channel, provider, provider_conversation_id, now, destination, thread, outbox_id
        )
        conv.state = {"dialogue": encode(opening.state), "seen": []}
        conv.last_reply = opening.reply
        self._transcript(session, conv, opening.state, now, ())
        session.flush()
        return TurnResult(conv.id, opening.reply, ended=False)

    def message(
        self,
        session: Session,
        *,
        channel: str,
        provider: str,
        thread: str,
        message_id: str,
        sender: str,
        text: str | bytes,
        now: datetime,
    ) -> TurnResult | None:
        """A text on a thread: continue its active conversation, or start one when the sender is a
        customer with an open case. None when nobody on file has that number (nothing is written)."""
        active = self.active_on_thread(session, channel, thread)
        if active is not None:
            return self._turn(session, active, text, message_id, now)
        ended = self.find(session, provider, message_id)
        if ended is not None:
            return _replay(ended)
        found = self.case_for_number(session, sender)
        if found is None:
            return None
        conv = self._create(session, found[0], channel, provider, message_id, now, sender, thread, None)
        ctx = build_context(session, conv.case_id, channel, now, self.config)
        heard = self.understand(text, ctx.today, channel, default_currency=ctx.balance.currency)
        return self._advance(session, conv, ctx, heard, first_turn(ctx, heard), message_id, [], now)

    def voicemail(
        self,
        session: Session,
        *,
        case_id: str,
        provider: str,
        provider_conversation_id: str,
        now: datetime,
        destination: str | None = None,
        outbox_id: str | None = None,
    ) -> TurnResult:
        """A machine answered: the limited-content message only, and an outcome that says so."""
        existing = self.find(session, provider, provider_conversation_id)
        if existing is not None:
            return _replay(existing)
        ctx = build_context(session, case_id, "voice", now, self.config, outbox_id=outbox_id)
        text = voicemail(ctx)
        conv = self._create(
            session, case_id, "voice", provider, provider_conversation_id, now, destination, None, outbox_id
        )
        state = ConversationState(stage=Stage.ENDED, transcript=(Turn("agent", text),))
        conv.state = {"dialogue": encode(state), "seen": []}
        conv.last_reply = text
        conv.status = "voicemail"
        conv.ended_at = now
        outcome = Outcome(
            labels=(),
            urgency=Urgency.LOW,
            objection=None,
            promise=None,
            next_step="voicemail left; the strategy continues",
            routing=Routing.RETRIED,
            summary="A machine answered; the limited-content voicemail was left (nothing about the debt).",
            transcript=state.transcript,
        )
        conv.outcome_id = write_outcome(session, conv, outcome, None, now)
        session.flush()
        return TurnResult(conv.id, text, ended=True, outcome_id=conv.outcome_id)

    # Turns --------------------------------------------------------------------------------------------

    def turn(
        self, session: Session, conversation_id: str, text: str | bytes, *, turn_key: str, now: datetime
    ) -> TurnResult:
        conv = self.get(session, conversation_id)
        if conv is None:
            raise ConversationNotFound(conversation_id)
        return self._turn(session, conv, text, turn_key, now)

    def _turn(
        self, session: Session, conv: Conversation, text: str | bytes, turn_key: str, now: datetime
    ) -> TurnResult:
        seen = [str(key) for key in conv.state.get("seen", [])]
        if turn_key in seen or conv.status != "active":
            return _replay(conv)
        ctx = build_context(session, conv.case_id, conv.channel, now, self.config, outbox_id=conv.outbox_id)
        heard = self.understand(text, ctx.today, conv.channel, default_currency=ctx.balance.currency)
        result = step(decode(conv.state["dialogue"]), heard, ctx)
        return self._advance(session, conv, ctx, heard, result, turn_key, seen, now)

    def _advance(
        self,
        session: Session,
        conv: Conversation,
        ctx: CaseContext,
        heard: Understanding,
        result: Step,
        turn_key: str,
        seen: list[str],
        now: datetime,
    ) -> TurnResult:
        where = Where(conv.id, conv.case_id, conv.customer_id, conv.channel, turn_key, conv.destination)
        applied = apply_actions(session, result.actions, where, now)
        reply = result.reply
        if applied.link_inline:
            reply = f"{reply} Pay securely: {self.payment_link(conv.case_id)}"
        labels = tuple(label.value for label in result.state.labels)
        self._transcript(session, conv, result.state, now, labels)
        conv.state = {"dialogue": encode(result.state), "seen": [*seen, turn_key][-SEEN_LIMIT:]}
        conv.turn += 1
        conv.last_reply = reply
        conv.updated_at = now
        if result.outcome is not None:
            conv.status = "ended"
            conv.ended_at = now
            conv.outcome_id = write_outcome(session, conv, result.outcome, applied.promise_id, now)
            session.execute(
                update(Case).where(Case.id == conv.case_id).values(next_action_at=now, updated_at=now)
            )
        record(
            session,
            at=now,
            actor="agent",
            action="conversation_turn",
            entity="case",
            entity_id=conv.case_id,
            data={
                "conversation_id": conv.id,
                "channel": conv.channel,
                "labels": [label.value for label in heard.labels],
                "actions": [type(action).__name__ for action in result.actions],
                "routing": result.outcome.routing.value if result.outcome else None,
            },
        )
        session.flush()
        return TurnResult(
            conv.id,
            reply,
            ended=result.outcome is not None,
            outcome_id=conv.outcome_id,
            transfer_summary=applied.transfer_summary,
        )

    def abandon(
        self,
        session: Session,
        conv: Conversation,
        now: datetime,
        reason: str,
        routing: Routing = Routing.RETRIED,
    ) -> str | None:
        """The call ended before the dialogue did: the conversation still ends in an outcome."""
        if conv.status != "active":
            return conv.outcome_id
        state = decode(conv.state["dialogue"])
        conv.status = "abandoned"
        conv.ended_at = now
        conv.updated_at = now
        conv.outcome_id = write_outcome(session, conv, abandoned_outcome(state, reason, routing), None, now)
        session.execute(
            update(Case).where(Case.id == conv.case_id).values(next_action_at=now, updated_at=now)
        )
        session.flush()
        return conv.outcome_id

    # Writes -------------------------------------------------------------------------------------------

    def _create(
        self,
        session: Session,
        case_id: str,
        channel: str,
        provider: str,
        provider_conversation_id: str,
        now: datetime,
        destination: str | None,
        thread: str | None,
        outbox_id: str | None,
    ) -> Conversation:
        customer_id = session.scalars(select(Case.customer_id).where(Case.id == case_id)).one()
        conv = Conversation(
            id=new_id(),
            case_id=case_id,
            customer_id=customer_id,
            channel=channel,
            provider=provider,
            provider_conversation_id=provider_conversation_id,
            thread=thread,
            destination=destination,
            outbox_id=outbox_id,
            state={"dialogue": encode(ConversationState()), "seen": []},
            turn=0,
            last_reply="",
            status="active",
            started_at=now,
            updated_at=now,
        )
        session.add(conv)
        session.flush()  # the unique provider id and active-thread index answer here, not at commit
        return conv

    def _transcript(
        self,
        session: Session,
        conv: Conversation,
        state: ConversationState,
        now: datetime,
        labels: tuple[str, ...],
    ) -> None:
        """One interaction per conversation holds its redacted transcript (the outcome links to it)."""
        text = transcript_text(state.transcript)
        detail: dict[str, Any] = {"conversation_id": conv.id, "labels": list(labels)}
        if conv.interaction_id is not None:
            session.execute(
                update(Interaction)
                .where(Interaction.id == conv.interaction_id)
                .values(transcript_redacted=text, detail=detail)
            )
            return
        conv.interaction_id = new_id()
        session.execute(
            insert(Interaction).values(
                id=conv.interaction_id,
                case_id=conv.case_id,
                customer_id=conv.customer_id,
                outbox_id=conv.outbox_id,
                channel="voice" if conv.channel == "voice" else conv.channel,
                direction="inbound",
                destination=conv.destination,
                provider=conv.provider,
                provider_id=conv.provider_conversation_id,
                status="answered" if conv.channel == "voice" else "received",
                connected=True,
                conversation=True,
                occurred_at=now,
                transcript_redacted=text,
                detail=detail,
            )
        )


def _replay(conv: Conversation) -> TurnResult:
    return TurnResult(
        conv.id, conv.last_reply, ended=conv.status != "active", replayed=True, outcome_id=conv.outcome_id
    )
