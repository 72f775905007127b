"""One conversation path for every transport: a Twilio call, an SMS, WhatsApp or e-mail thread, the web
chat and the terminal all open, advance and finish conversations here.

A turn: lock the row, drop a turn key already applied (a redelivery gets the last reply), build the case
context, read the words (`reading.py`), step the pure dialogue, apply its actions through their owners, save
the state, and on the last turn write the outcome once, under the provider's id. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from arrears.agent import Understanding
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
from arrears.cases.planning import wake
from arrears.conversations import repository as rows
from arrears.conversations.codec import decode, encode
from arrears.conversations.context import AgentConfig, build_context
from arrears.conversations.effects import Where, apply_actions
from arrears.conversations.links import inline_link
from arrears.conversations.outcomes import abandoned_outcome, write_outcome
from arrears.conversations.reading import ReadTurn, account_facts, earlier_turns, read_locally
from arrears.conversations.repository import ConversationStatus
from arrears.outcomes import StrategyLookup
from arrears.payments import PaymentLinksInSession
from arrears.store.models import Conversation

SEEN_LIMIT = 64


@dataclass(frozen=True, slots=True)
class TurnResult:
    conversation_id: str
    reply: str
    ended: bool
    replayed: bool = False
    outcome_id: str | None = None
    transfer_summary: str | None = None
    case_id: str | None = None
    customer_id: str | None = None
    language: str = "en"
    """The language the agent now speaks (a voice transport says the reply and listens in it)."""


class ConversationNotFound(LookupError):
    pass


def _no_strategy(_name: str, _version: int) -> None:
    return None


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
        understand_fn: ReadTurn = read_locally,
        payment_links: PaymentLinksInSession | None = None,
        link_validity: timedelta = timedelta(days=30),
        strategy_for: StrategyLookup = _no_strategy,
    ) -> None:
        """`payment_links`: where a link offered in a chat comes from (one per turn); none: the agent
        says a link will follow instead of quoting one."""
        self.config = config or AgentConfig()
        self.understand = understand_fn
        self.payment_links = payment_links
        self.link_validity = link_validity
        self.strategy_for = strategy_for

    # Lookups (the repository's, kept here so transports need one object) -------------------------------

    find = staticmethod(rows.find)
    active_on_thread = staticmethod(rows.active_on_thread)
    get = staticmethod(rows.get)
    case_for_sender = staticmethod(rows.case_for_sender)

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
        existing = rows.find(session, provider, provider_conversation_id)
        if existing is not None:
            return _replay(existing)
        ctx = self._context(session, case_id, channel, now, outbox_id=outbox_id)
        opening = start(ctx)
        conv = rows.create(
            session,
            case_id=case_id,
            channel=channel,
            provider=provider,
            provider_conversation_id=provider_conversation_id,
            now=now,
            destination=destination,
            thread=thread,
            outbox_id=outbox_id,
        )
        conv.state = {"dialogue": encode(opening.state), "seen": [], "disclosures": list(ctx.disclosures)}
        conv.last_reply = opening.reply
        rows.save_transcript(session, conv, opening.state, now, ())
        session.flush()
        return _result(conv, opening.reply, ended=False)

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
        case_id: str | None = None,
    ) -> TurnResult | None:
        """Words on a thread: continue its active conversation, or start one when the sender is a customer
        with an open case. None when nobody on file has that number or address (nothing is written)."""
        active = rows.active_on_thread(session, channel, thread)
        if active is not None:
            return self._turn(session, active, text, message_id, now)
        ended = rows.find(session, provider, message_id)
        if ended is not None:
            return _replay(ended)
        found = (case_id, "") if case_id else rows.case_for_sender(session, sender)
        if found is None:
            return None
        conv = rows.create(
            session,
            case_id=found[0],
            channel=channel,
            provider=provider,
            provider_conversation_id=message_id,
            now=now,
            destination=sender,
            thread=thread,
            outbox_id=None,
        )
        ctx = self._context(session, conv.case_id, channel, now)
        heard = self._read(text, ctx, channel, ConversationState())
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
        existing = rows.find(session, provider, provider_conversation_id)
        if existing is not None:
            return _replay(existing)
        ctx = self._context(session, case_id, "voice", now, outbox_id=outbox_id)
        text = voicemail(ctx)
        conv = rows.create(
            session,
            case_id=case_id,
            channel="voice",
            provider=provider,
            provider_conversation_id=provider_conversation_id,
            now=now,
            destination=destination,
            thread=None,
            outbox_id=outbox_id,
        )
        state = ConversationState(stage=Stage.ENDED, transcript=(Turn("agent", text),))
        conv.state = {"dialogue": encode(state), "seen": []}
        conv.last_reply, conv.status, conv.ended_at = text, ConversationStatus.VOICEMAIL, now
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
        conv.outcome_id = self._outcome(session, conv, outcome, None, now, right_party=False)
        session.flush()
        return _result(conv, text, ended=True)

    # Turns --------------------------------------------------------------------------------------------

    def turn(
        self, session: Session, conversation_id: str, text: str | bytes, *, turn_key: str, now: datetime
    ) -> TurnResult:
        conv = rows.get(session, conversation_id)
        if conv is None:
            raise ConversationNotFound(conversation_id)
        return self._turn(session, conv, text, turn_key, now)

    def _turn(
        self, session: Session, conv: Conversation, text: str | bytes, turn_key: str, now: datetime
    ) -> TurnResult:
        seen = [str(key) for key in conv.state.get("seen", [])]
        if turn_key in seen or conv.status != ConversationStatus.ACTIVE:
            return _replay(conv)
        said = conv.state.get("disclosures")
        ctx = self._context(
            session,
            conv.case_id,
            conv.channel,
            now,
            outbox_id=conv.outbox_id,
            disclosures=tuple(said) if said is not None else None,
        )
        state = decode(conv.state["dialogue"])
        heard = self._read(text, ctx, conv.channel, state)
        result = step(state, heard, ctx)
        return self._advance(session, conv, ctx, heard, result, turn_key, seen, now)

    def _context(
        self, session: Session, case_id: str, channel: str, now: datetime, **given: Any
    ) -> CaseContext:
        """`given`: `build_context`'s outbox_id and disclosures; the strategy decides what may be agreed."""
        config, lookup = self.config, self.strategy_for
        return build_context(session, case_id, channel, now, config, strategy_for=lookup, **given)

    def _read(
        self, text: str | bytes, ctx: CaseContext, channel: str, state: ConversationState
    ) -> Understanding:
        return self.understand(
            text,
            ctx.today,
            channel,
            ctx.locale,
            default_currency=ctx.balance.currency,
            context=earlier_turns(state),
            facts=account_facts(ctx, state),
        )

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
            shown = inline_link(
                self.payment_links, self.link_validity, session, conv, ctx, turn_key, now, applied.settlement
            )
            reply = f"{reply} {shown}"
        labels = tuple(label.value for label in result.state.labels)
        rows.save_transcript(session, conv, result.state, now, labels)
        before = conv.state.get("reading", {}).get("confidence", 1.0)
        conv.state = {
            **conv.state,
            "reading": {"model": heard.model, "confidence": min(before, heard.confidence)},
            "dialogue": encode(result.state),
            "seen": [*seen, turn_key][-SEEN_LIMIT:],
            "disclosures": list(ctx.disclosures),
        }
        conv.turn += 1
        conv.last_reply, conv.updated_at = reply, now
        if result.outcome is not None:
            conv.status, conv.ended_at = ConversationStatus.ENDED, now
            conv.outcome_id = self._outcome(
                session, conv, result.outcome, applied.promise_id, now, right_party=result.state.verified
            )
            wake(session, [conv.case_id], now)
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
                "confidence": heard.confidence,
                "unsure": heard.unsure,
                "model": heard.model,
                "second_opinion": heard.second_opinion.as_dict() if heard.second_opinion else None,
                "actions": [type(action).__name__ for action in result.actions],
                "routing": result.outcome.routing.value if result.outcome else None,
            },
        )
        session.flush()
        return _result(conv, reply, ended=result.outcome is not None, transfer=applied.transfer_summary)

    def abandon(
        self,
        session: Session,
        conv: Conversation,
        now: datetime,
        reason: str,
        routing: Routing = Routing.RETRIED,
    ) -> str | None:
        """The call ended before the dialogue did: the conversation still ends in an outcome."""
        if conv.status != ConversationStatus.ACTIVE:
            return conv.outcome_id
        state = decode(conv.state["dialogue"])
        conv.status, conv.ended_at, conv.updated_at = ConversationStatus.ABANDONED, now, now
        outcome = abandoned_outcome(state, reason, routing)
        conv.outcome_id = self._outcome(session, conv, outcome, None, now, right_party=state.verified)
        wake(session, [conv.case_id], now)
        session.flush()
        return conv.outcome_id

    def _outcome(
        self,
        session: Session,
        conv: Conversation,
        outcome: Outcome,
        promise_id: str | None,
        now: datetime,
        *,
        right_party: bool,
    ) -> str:
        return write_outcome(
            session, conv, outcome, promise_id, now, right_party=right_party, strategy_for=self.strategy_for
        )


def _result(
    conv: Conversation, reply: str, *, ended: bool, transfer: str | None = None, replayed: bool = False
) -> TurnResult:
    return TurnResult(
        conv.id,
        reply,
        ended=ended,
        replayed=replayed,
        outcome_id=conv.outcome_id,
        transfer_summary=transfer,
        case_id=conv.case_id,
        customer_id=conv.customer_id,
        language=str((conv.state or {}).get("dialogue", {}).get("language") or "en"),
    )


def _replay(conv: Conversation) -> TurnResult:
    return _result(conv, conv.last_reply, ended=conv.status != ConversationStatus.ACTIVE, replayed=True)
