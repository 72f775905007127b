"""The one way in: every external input is verified by its entrance, stored here once, then applied by
one handler table that the composition root builds."""

from arrears.inbox.apply import Applied, Handler, HandlerTable, Inbox, RetryPolicy
from arrears.inbox.errors import NotFound, PermanentError, problem_for
from arrears.inbox.store import InboxStatus, Stored, inbox_id, receive, requeue, take_once

__all__ = [
    "Applied",
    "Handler",
    "HandlerTable",
    "Inbox",
    "InboxStatus",
    "NotFound",
    "PermanentError",
    "RetryPolicy",
    "Stored",
    "inbox_id",
    "problem_for",
    "receive",
    "requeue",
    "take_once",
]
