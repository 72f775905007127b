"""The labels of ../shared/eval/LABELS.md, their precedence, and which of them escalate.

Precedence decides the *main* label of a turn that carries several: a customer who says their father died
and they do not know what to do is first a deceased-account case, then a vulnerable person. The order was
chosen from what a collections team must act on first (an account holder's death or a bankruptcy changes
everything else), not from any single sentence.
"""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    PAY_NOW = "pay_now"
    PROMISE_TO_PAY = "promise_to_pay"
    PAYMENT_PLAN = "payment_plan"
    ALREADY_PAID = "already_paid"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    VULNERABLE = "vulnerable"
    LEGAL = "legal"
    BANKRUPTCY = "bankruptcy"
    CEASE_CONTACT = "cease_contact"
    OPT_OUT = "opt_out"
    WRONG_PARTY = "wrong_party"
    DECEASED = "deceased"
    CALLBACK = "callback"
    CANCEL_SERVICE = "cancel_service"
    QUESTION = "question"
    HUMAN_AGENT = "human_agent"
    LANGUAGE = "language"
    REFUSE = "refuse"
    AFFIRM = "affirm"
    DENY = "deny"
    UNCLEAR = "unclear"


ESCALATION: frozenset[Label] = frozenset(
    {
        Label.DISPUTE,
        Label.HARDSHIP,
        Label.VULNERABLE,
        Label.LEGAL,
        Label.BANKRUPTCY,
        Label.CEASE_CONTACT,
        Label.DECEASED,
        Label.CANCEL_SERVICE,
        Label.HUMAN_AGENT,
    }
)

# Most decisive first. Facts that change who the account belongs to or whether it may be collected at
# all come before intents about paying; pure conversational acts (yes, no) come last.
PRECEDENCE: tuple[Label, ...] = (
    Label.DECEASED,
    Label.BANKRUPTCY,
    Label.ALREADY_PAID,
    Label.WRONG_PARTY,
    Label.CANCEL_SERVICE,
    Label.VULNERABLE,
    Label.DISPUTE,
    Label.LEGAL,
    Label.HARDSHIP,
    Label.REFUSE,
    Label.PROMISE_TO_PAY,
    Label.PAY_NOW,
    Label.LANGUAGE,
    Label.HUMAN_AGENT,
    Label.CALLBACK,
    Label.PAYMENT_PLAN,
    Label.QUESTION,
    Label.CEASE_CONTACT,
    Label.OPT_OUT,
    Label.AFFIRM,
    Label.DENY,
    Label.UNCLEAR,
)

_RANK = {label: i for i, label in enumerate(PRECEDENCE)}


def rank(label: Label) -> int:
    """Position in the precedence order (lower is more decisive)."""
    return _RANK[label]


def is_escalation(label: Label | str) -> bool:
    return Label(label) in ESCALATION
