"""The feed of domain events: every change a system outside should hear of, in one ordered stream.

Services publish in the transaction that makes the change (`publish`), so an event exists exactly when its
change committed. Consumers (write-back, outbound webhooks, alerts, metrics) read in order with a cursor
of their own (`read`, `advance`); `arrears events tail` shows the stream.
"""

from arrears.feed.kinds import EventKind
from arrears.feed.publish import Published, event_row, publish, publish_rows
from arrears.feed.read import FeedEvent, advance, read, read_after

__all__ = [
    "EventKind",
    "FeedEvent",
    "Published",
    "advance",
    "event_row",
    "publish",
    "publish_rows",
    "read",
    "read_after",
]
