"""Does a step apply to this case? Every condition present must hold; an absent one allows anything."""

from __future__ import annotations

from arrears.strategy.case import CaseView
from arrears.strategy.schema import AmountBand, Conditions


def matches(conditions: Conditions, case: CaseView) -> bool:
    if conditions.segments and case.segment not in conditions.segments:
        return False
    if conditions.tiers and case.tier not in conditions.tiers:
        return False
    if conditions.currencies and case.currency not in conditions.currencies:
        return False
    if conditions.customer_kind is not None and case.customer_kind != conditions.customer_kind:
        return False
    bp = conditions.broken_promises
    if bp is not None and not _within(case.broken_promises, bp.min, bp.max):
        return False
    if conditions.amount_bands:
        # Bands are per currency: a case in a currency no band names does not match (never convert money).
        return any(_in_band(band, case) for band in conditions.amount_bands)
    return True


def _in_band(band: AmountBand, case: CaseView) -> bool:
    if band.currency != case.currency:
        return False
    if band.min_minor is not None and case.balance_minor < band.min_minor:
        return False
    return band.max_minor is None or case.balance_minor < band.max_minor


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def describe(conditions: Conditions) -> str:
    """A short human reading of the conditions, for plan explanations and the docs."""
    parts: list[str] = []
    if conditions.segments:
        parts.append("segment in " + "/".join(conditions.segments))
    if conditions.tiers:
        parts.append("tier in " + "/".join(conditions.tiers))
    if conditions.currencies:
        parts.append("currency in " + "/".join(conditions.currencies))
    if conditions.customer_kind is not None:
        parts.append(f"customer is a {conditions.customer_kind.value}")
    if conditions.broken_promises is not None:
        bp = conditions.broken_promises
        parts.append(
            f"broken promises in [{bp.min if bp.min is not None else 0}, "
            f"{bp.max if bp.max is not None else 'any'}]"
        )
    for band in conditions.amount_bands:
        parts.append(f"{band.currency} balance in [{band.min_minor or 0}, {band.max_minor or 'any'})")
    return "; ".join(parts) or "any case"
