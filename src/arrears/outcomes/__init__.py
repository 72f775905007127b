"""Outcomes: the structured end of every conversation, written once, and whether a person must confirm it."""

from arrears.outcomes.record import OutcomeSpec, record_outcome
from arrears.outcomes.review import StrategyLookup, review_reasons

__all__ = ["OutcomeSpec", "StrategyLookup", "record_outcome", "review_reasons"]
