"""Interactions: every attempt, reply and conversation, and what providers report about delivery."""

from arrears.interactions.delivery import (
    DeliveryReport,
    DeliveryState,
    note_call,
    record_delivery,
)
from arrears.interactions.rows import conversation_row, outbound_row, record_rows, update_transcript

__all__ = [
    "DeliveryReport",
    "DeliveryState",
    "conversation_row",
    "note_call",
    "outbound_row",
    "record_delivery",
    "record_rows",
    "update_transcript",
]
