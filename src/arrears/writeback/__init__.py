"""Write-back: every domain event a destination wants, delivered to it once, in order, with retries and a
dead-letter list a person can inspect and replay."""

from arrears.writeback.base import CaseSnapshot, DeliveryRefused, DeliveryUnavailable, Destination

__all__ = ["CaseSnapshot", "DeliveryRefused", "DeliveryUnavailable", "Destination"]
