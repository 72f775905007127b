"""Why applying an input failed, as the RFC 9457 problem body people and clients read.

A handler raises; the inbox keeps the input and records the problem. Errors that time may cure (an invoice
named before its `invoice.created` arrived, a database hiccup) are tried again with backoff; errors that
only a fix at the source can cure (`PermanentError`, a contradiction in the payload) are not.
"""

from __future__ import annotations

from typing import Any

from arrears.events.errors import EventError

#: Event errors that a later event may cure: the record it names has not arrived yet.
_CURABLE_KINDS = ("unknown_customer", "unknown_invoice", "unknown_account", "unknown")
PROBLEM_BASE = "urn:arrears:problem:"


class PermanentError(Exception):
    """Applying cannot succeed without a change at the source (a malformed provider payload)."""

    status = 422
    kind = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(PermanentError):
    """The input names a record that does not exist (a chat on an unknown case)."""

    status = 404
    kind = "not_found"


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, PermanentError):
        return False
    if isinstance(exc, EventError):
        return exc.kind.startswith(_CURABLE_KINDS)
    return True  # a database or provider hiccup, or a bug: worth another try, and visible meanwhile


def error_text(exc: BaseException) -> str:
    """One line for the row's `error` column: the field and what is wrong with it, when known."""
    if isinstance(exc, EventError | PermanentError):
        return str(exc)[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def problem_for(exc: BaseException, kind: str) -> dict[str, Any]:
    """The problem body for a failed input; no payload values (they may be personal data)."""
    if isinstance(exc, EventError | PermanentError):
        code = exc.kind.replace("_", "-")
        return {
            "type": PROBLEM_BASE + code,
            "title": "Event cannot be applied",
            "status": getattr(exc, "status", 422),
            "detail": f"{kind}: {exc.field}: {exc.message}",
            "errors": [{"location": "body", "field": exc.field, "detail": exc.message, "type": code}],
        }
    return {
        "type": PROBLEM_BASE + "apply-error",
        "title": "Applying the event failed",
        "status": 500,
        "detail": f"{kind}: {type(exc).__name__}: {exc}"[:2000],
        "errors": [],
    }
