"""Promises to pay and payment plans: made, kept, broken or cancelled here only."""

from arrears.promises.plans import (
    OPEN,
    TRANSITIONS,
    PromiseStatus,
    break_promises,
    cancel_open,
    instalment_days,
    keep_promises,
    link_interaction,
    record_promise,
    settle_for_cases,
)

__all__ = [
    "OPEN",
    "TRANSITIONS",
    "PromiseStatus",
    "break_promises",
    "cancel_open",
    "instalment_days",
    "keep_promises",
    "link_interaction",
    "record_promise",
    "settle_for_cases",
]
