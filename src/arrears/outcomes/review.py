"""Whether an outcome the agent could complete must be confirmed by a person, per the case's strategy.

Shared by every conversation path (inbound texts, calls, chat): the strategy version the case runs, as a
worker recorded it, decides through its routing rules (labels it trusts, high value, promise policy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.store.models import Case, StrategyVersion
from arrears.strategy.routing import OutcomeFacts, Route, route_outcome
from arrears.strategy.schema import Strategy

#: The strategy (name, version) as this deployment's library has it, for versions no worker recorded yet.
StrategyLookup = Callable[[str, int], Strategy | None]


def review_reasons(
    session: Session,
    case_id: str,
    labels: Iterable[str],
    *,
    today: date,
    promise_on: date | None = None,
    promise_minor: int | None = None,
    confidence: float = 1.0,
    strategy_for: StrategyLookup,
) -> tuple[str, ...]:
    """Empty when the outcome completes on its own; otherwise why a person must confirm it."""
    case = session.execute(
        select(Case.strategy_name, Case.strategy_version, Case.currency, Case.balance_minor).where(
            Case.id == case_id
        )
    ).one()
    strategy = _strategy(session, case.strategy_name, case.strategy_version, strategy_for)
    if strategy is None:
        return (f"strategy {case.strategy_name} version {case.strategy_version} is not registered",)
    verdict = route_outcome(
        strategy,
        OutcomeFacts(
            labels=frozenset(labels),
            confidence=confidence,
            currency=case.currency,
            balance_minor=case.balance_minor,
            promise_due_on=promise_on,
            promise_amount_minor=promise_minor,
            today=today,
        ),
    )
    return verdict.reasons if verdict.route is Route.REVIEW else ()


def _strategy(session: Session, name: str, version: int, strategy_for: StrategyLookup) -> Strategy | None:
    """As a worker recorded it; before any worker ran, as this deployment's library has it."""
    row = session.execute(
        select(StrategyVersion.content_hash, StrategyVersion.body).where(
            StrategyVersion.name == name, StrategyVersion.version == version
        )
    ).first()
    if row is not None:
        return _parsed(row[0], row[1])
    return strategy_for(name, version)


@lru_cache(maxsize=64)
def _parsed(_content_hash: str, body: str) -> Strategy:
    return Strategy.model_validate_json(body)
