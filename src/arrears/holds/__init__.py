"""Holds: reasons not to collect (dispute, cease, attorney, hardship, ...), placed and released here only."""

from arrears.holds.service import (
    HOLD_FOR_LABEL,
    HoldNotFound,
    HoldSpec,
    HoldStatus,
    active_holds,
    end_on,
    expire_due,
    place,
    release,
    release_for_case,
)

__all__ = [
    "HOLD_FOR_LABEL",
    "HoldNotFound",
    "HoldSpec",
    "HoldStatus",
    "active_holds",
    "end_on",
    "expire_due",
    "place",
    "release",
    "release_for_case",
]
