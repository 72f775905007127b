"""The one error an event can fail with once it is valid JSON: a fact the store contradicts.

It names the payload field so the API can answer 422 with a pointer and the inbox row can say what to fix.
"""

from __future__ import annotations


class EventError(Exception):
    """An event that cannot be applied as sent (unknown account, invoice of another account, ...)."""

    def __init__(self, field: str, message: str, *, kind: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.kind = kind
