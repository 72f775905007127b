"""What a customer's message means for the case: a pure decision from understood labels and the rules.

Escalation labels always reach a person and stop automated collection; everything else is completed
automatically unless the strategy's routing rules send it to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arrears.agent.dialogue import Routing
from arrears.agent.labels import ESCALATION as ESCALATION_LABELS

#: The agent's escalation labels, as the plain strings outcomes store.
ESCALATION = frozenset(label.value for label in ESCALATION_LABELS)
#: Holds that stop collection; each escalation label maps to the hold a person must lift.
HOLD_FOR_LABEL = {
    "dispute": "dispute",
    "hardship": "hardship",
    "vulnerable": "vulnerable",
    "legal": "attorney",
    "bankruptcy": "bankruptcy",
    "cease_contact": "cease",
    "deceased": "deceased",
    "cancel_service": "review",
    "human_agent": "review",
}
URGENT = frozenset({"vulnerable", "legal", "bankruptcy", "deceased", "cease_contact"})


@dataclass(frozen=True, slots=True)
class TurnDecision:
    routing: Routing
    hold_kinds: tuple[str, ...] = ()
    task_reason: str | None = None
    urgency: str = "normal"
    opt_out_channel: bool = False  # stop this channel (STOP keyword)
    opt_out_all: bool = False  # cease: stop every channel
    promise: tuple[date, int] | None = None
    send_payment_link: bool = False
    next_step: str = ""


def route_turn(
    labels: tuple[str, ...],
    *,
    today: date,
    promised_on: date | None,
    amount_minor: int | None,
    balance_minor: int,
    high_value_minor: int | None = None,
    max_promise_days: int = 30,
) -> TurnDecision:
    main = labels[0] if labels else "unclear"
    escalations = [label for label in labels if label in ESCALATION]
    if "opt_out" in labels and not escalations:
        return TurnDecision(Routing.CLOSED, opt_out_channel=True, next_step="channel opted out")
    if escalations:
        holds = tuple(dict.fromkeys(HOLD_FOR_LABEL[label] for label in escalations))
        return TurnDecision(
            Routing.ESCALATED,
            hold_kinds=holds,
            task_reason=escalations[0],
            urgency="high" if URGENT.intersection(escalations) else "normal",
            opt_out_all="cease_contact" in escalations,
            next_step=f"{escalations[0].replace('_', ' ')}: a person reviews before any further contact",
        )
    if main == "promise_to_pay" or "promise_to_pay" in labels:
        if (
            promised_on is None
            or promised_on < today
            or promised_on > today + timedelta(days=max_promise_days)
        ):
            return TurnDecision(
                Routing.SENT_TO_REVIEW,
                task_reason="promise_needs_date",
                next_step="confirm a payment date with the customer",
            )
        amount = amount_minor if amount_minor and 0 < amount_minor <= balance_minor else balance_minor
        if high_value_minor is not None and balance_minor >= high_value_minor:
            return TurnDecision(
                Routing.SENT_TO_REVIEW,
                task_reason="high_value_promise",
                promise=(promised_on, amount),
                next_step="high-value account: confirm the promise",
            )
        return TurnDecision(
            Routing.BOOKED,
            promise=(promised_on, amount),
            next_step=f"reminder before {promised_on.isoformat()}",
        )
    if main == "pay_now":
        return TurnDecision(Routing.CONFIRMED, send_payment_link=True, next_step="payment link sent")
    if main == "payment_plan":
        return TurnDecision(Routing.SENT_TO_REVIEW, task_reason="payment_plan", next_step="offer a plan")
    if main == "already_paid":
        return TurnDecision(
            Routing.SENT_TO_REVIEW, task_reason="verify_payment", next_step="find the payment"
        )
    if main == "wrong_party":
        return TurnDecision(Routing.CLOSED, task_reason="wrong_party", next_step="find a better contact")
    if main in ("callback", "question", "affirm"):
        return TurnDecision(Routing.NURTURED, next_step="follow up on the next step of the strategy")
    if main == "refuse":
        return TurnDecision(Routing.RETRIED, next_step="strategy continues")
    return TurnDecision(Routing.RETRIED, next_step="no clear answer; strategy continues")
