"""Customers' own records that the engine changes after import: today, an address found dead."""

from arrears.customers.contact_points import mark_undeliverable

__all__ = ["mark_undeliverable"]
