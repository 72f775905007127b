"""Write-back: every domain event a destination wants, delivered to it once, in order, with retries and a
dead-letter list a person can inspect and replay."""

from arrears.writeback.backoff import RetryPolicy
from arrears.writeback.base import (
    BatchDestination,
    CaseSnapshot,
    DeliveryRefused,
    DeliveryUnavailable,
    Destination,
    Item,
)

__all__ = [
    "BatchDestination",
    "CaseSnapshot",
    "DeliveryRefused",
    "DeliveryUnavailable",
    "Destination",
    "Item",
    "RetryPolicy",
]
