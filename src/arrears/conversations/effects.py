"""The dialogue's actions made real, inside the caller's transaction, through the services that own them.

Each action lands in the same commit as the turn that asked for it, so an opt-out binds the very next
dispatch and a replayed delivery (which never reaches here: the inbox stores it once and the turn key is
checked first) cannot duplicate anything. Escalations place a hold (which stops queued outreach) and open
a task that stands for it; a stop request is an opt-out; a payment link is an outbox action judged by the
contact gate when the dispatcher picks it up, never sent from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.agent.dialogue import (
    Action,
    IdentityFailed,
    MarkWrongNumber,
    OfferSettlement,
    OpenTask,
    RecordPromise,
    ScheduleCallback,
    SendPaymentLink,
    StopContact,
    Urgency,
    WarmTransfer,
)
from arrears.audit import record
from arrears.casefacts.contact import choose_destination
from arrears.casefacts.load import load_case_facts
from arrears.cases.opt_outs import record_opt_out
from arrears.cases.planning import wake
from arrears.core.ids import idempotency_key, new_id
from arrears.holds import HOLD_FOR_LABEL, HoldSpec, place
from arrears.outbox import OutboxStatus, queue_actions
from arrears.promises import record_promise
from arrears.store.models import Case
from arrears.tasks import TaskSpec, open_task

_OUTREACH = ("email", "sms", "whatsapp", "voice", "letter")
_DEST_KIND = {"email": "personal_email", "sms": "mobile", "whatsapp": "mobile"}
ACTOR = "agent"


@dataclass(frozen=True, slots=True)
class Where:
    """Which conversation and turn the actions belong to (their idempotency keys derive from it)."""

    conversation_id: str
    case_id: str
    customer_id: str
    channel: str
    turn_key: str
    destination: str | None  # the number or address this conversation runs on


@dataclass
class Applied:
    """What the transport layer must still do: show a link, transfer the call, and what was written."""

    link_queued: bool = False
    link_inline: bool = False
    transfer_summary: str | None = None
    promise_id: str | None = None
    settlement: OfferSettlement | None = None
    """An agreed settlement: a link shown inline (chat) is for its amount, valid until its last day."""
    written: list[str] = field(default_factory=list)


def apply_actions(session: Session, actions: tuple[Action, ...], where: Where, now: datetime) -> Applied:
    applied = Applied()
    for action in actions:
        if isinstance(action, SendPaymentLink):
            _payment_link(session, action.channel, where, now, applied)
        elif isinstance(action, RecordPromise):
            applied.promise_id = record_promise(
                session,
                case_id=where.case_id,
                amount=action.amount,
                first_day=action.day,
                instalments=action.instalments,
                channel=where.channel,
                now=now,
                every_days=action.every_days,
            )
            applied.written.append("promise")
        elif isinstance(action, OfferSettlement):
            _settlement(session, action, where, now, applied)
        elif isinstance(action, OpenTask):
            open_escalation(session, action, where, now)
            applied.written.append("task")
        elif isinstance(action, StopContact):
            _stop(session, action.channel, where, now)
            applied.written.append("opt_out")
        elif isinstance(action, MarkWrongNumber):
            _wrong_number(session, where, now)
            applied.written.append("wrong_number")
        elif isinstance(action, WarmTransfer):
            applied.transfer_summary = action.summary
        elif isinstance(action, IdentityFailed):
            _identity_failed(session, where, now)
            applied.written.append("identity_failed")
        elif isinstance(action, ScheduleCallback):
            # The strategy owns timing: re-plan now, and the next step honours holds and promises.
            wake(session, [where.case_id], now)
    return applied


#: The audit action a failed verification answer is stored as; ``context`` counts them for the limit.
IDENTITY_FAILED = "identity_failed"


def _identity_failed(session: Session, where: Where, now: datetime) -> None:
    """Stored against the customer, not the conversation, so the limit holds across conversations and
    channels (a new text thread or call starts with the failures already counted)."""
    record(
        session,
        at=now,
        actor=ACTOR,
        action=IDENTITY_FAILED,
        entity="customer",
        entity_id=where.customer_id,
        data={"conversation_id": where.conversation_id, "case_id": where.case_id, "channel": where.channel},
    )


def open_escalation(session: Session, action: OpenTask, where: Where, now: datetime) -> str:
    """A task for a person; an escalation label also places the hold the task stands for."""
    high = action.urgency is Urgency.HIGH
    kind = HOLD_FOR_LABEL.get(action.reason)
    context: dict[str, object] = {"conversation_id": where.conversation_id, "channel": where.channel}
    if kind is not None:
        hold_id = place(
            session,
            HoldSpec(where.customer_id, where.case_id, kind, f"said in conversation: {action.reason}"),
            actor=ACTOR,
            now=now,
        )
        context |= {"hold_kinds": [kind], "hold_ids": [hold_id]}
    if action.proposal:
        context["proposal"] = action.proposal  # the customer's own terms, for the person who decides
    if action.language:
        context["language"] = action.language  # so the task goes to a person who speaks it
    spec = TaskSpec(
        idempotency_key=idempotency_key("conversation", where.conversation_id, action.reason),
        case_id=where.case_id,
        reason=action.reason,
        summary=action.summary,
        priority=1 if high else 2,
        context=context,
    )
    return open_task(session, spec, actor=ACTOR, now=now)


def link_destination(session: Session, channel: str, where: Where, now: datetime) -> tuple[str, str] | None:
    """Where a link on ``channel`` can go, with the destination kind the gate will judge: the thread's own
    number for a text thread, else the best point on file; a phone of unknown kind stays unknown (the gate
    decides whether a text to it is allowed, never this code)."""
    if channel == where.channel and where.destination:
        return where.destination.removeprefix("whatsapp:"), _DEST_KIND[channel]
    facts = load_case_facts(session, [where.case_id], now).get(where.case_id)
    if facts is None:
        return None
    chosen = choose_destination(facts, channel)
    if chosen is not None:
        return chosen.value, chosen.kind.value
    if channel == "sms":
        phones = [p for p in facts.contact_points if p.channel == "phone" and p.kind == "unknown"]
        if phones:
            return phones[0].value, "unknown"
    return None


def _settlement(
    session: Session, action: OfferSettlement, where: Where, now: datetime, applied: Applied
) -> None:
    """A settlement the customer agreed within the strategy's floor: a link for the agreed amount that holds
    until its last day (paid in full by then, the rest is settled, as for an early-payment offer), and a
    promise of that amount on that day, so the strategy waits for it and reminds before it."""
    balance = session.scalar(select(Case.balance_minor).where(Case.id == where.case_id)) or 0
    offer = {
        "pay_minor": action.amount.minor,
        "discount_minor": max(0, balance - action.amount.minor),
        "expires_on": action.last_day.isoformat(),
        "currency": action.amount.currency,
    }
    applied.settlement = action
    _payment_link(session, action.channel, where, now, applied, offer=offer)
    applied.promise_id = record_promise(
        session,
        case_id=where.case_id,
        amount=action.amount,
        first_day=action.last_day,
        instalments=1,
        channel=where.channel,
        now=now,
    )
    applied.written.append("settlement")


def _payment_link(
    session: Session,
    channel: str,
    where: Where,
    now: datetime,
    applied: Applied,
    *,
    offer: dict[str, object] | None = None,
) -> None:
    if channel not in _DEST_KIND:
        applied.link_inline = True  # chat and terminal: the link is shown in the conversation itself
        return
    found = link_destination(session, channel, where, now)
    if found is None:
        summary = f"The customer asked for a payment link by {channel} and none is on file. Send one."
        open_escalation(session, OpenTask("payment_link", summary, Urgency.NORMAL), where, now)
        applied.written.append("task")
        return
    queue_actions(
        session,
        [
            {
                "id": new_id(),
                "idempotency_key": idempotency_key("link", where.conversation_id, where.turn_key),
                "case_id": where.case_id,
                "customer_id": where.customer_id,
                "kind": "contact",
                "step_id": "payment-link",
                "channel": channel,
                "destination": found[0],
                "destination_kind": found[1],
                "template": "payment-link",
                "payload": {
                    "tone": "friendly",
                    "payment_link": True,
                    "reason": "customer asked to pay",
                    # Asked for on this very thread: an answer to the customer's request (an on-demand text).
                    "purpose": "reply" if channel == where.channel else "collection",
                }
                | ({"offer": offer} if offer else {}),
                "status": OutboxStatus.PENDING.value,
                "not_before": now,
                "attempts": 0,
                "created_at": now,
            }
        ],
    )
    applied.link_queued = True
    applied.written.append("payment_link")


def _stop(session: Session, channel: str | None, where: Where, now: datetime) -> None:
    """A stop on a channel we do not reach out on (chat) can only mean "stop contacting me": all of them."""
    scope = channel if channel in _OUTREACH else None
    record_opt_out(
        session,
        [where.customer_id],
        channel=scope,
        destination=None,
        reason="opt_out" if scope else "cease",
        source=f"conversation {where.channel}",
        now=now,
    )


def _wrong_number(session: Session, where: Where, now: datetime) -> None:
    """The number reaches someone else: bar it on every channel (the gate reads destination opt-outs),
    and ask a person to find a better contact."""
    if where.destination:
        record_opt_out(
            session,
            [where.customer_id],
            channel=None,
            destination=where.destination.removeprefix("whatsapp:"),
            reason="wrong_number",
            source=f"conversation {where.channel}",
            now=now,
        )
    summary = "The person reached says this is not the customer's number. Find a better contact."
    open_escalation(session, OpenTask("wrong_party", summary, Urgency.NORMAL), where, now)
