"""Strategy versions as run, recorded once: audits, review counters and outcome routing refer to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import StrategyVersion
from arrears.strategy.catalog import StrategyLibrary


def register_strategies(session: Session, library: StrategyLibrary, now: datetime) -> None:
    """Record every strategy version that may run, so audits and review counters can refer to it."""
    known = set(session.execute(select(StrategyVersion.name, StrategyVersion.version)).tuples())
    rows = [
        {
            "id": f"{loaded.key[0]}:{loaded.key[1]}"[:32],
            "name": loaded.key[0],
            "version": loaded.key[1],
            "content_hash": loaded.content_hash,
            "body": loaded.strategy.model_dump_json(),
            "review_first_n": loaded.strategy.review_first_n,
            "actions_planned": 0,
            "loaded_at": now,
        }
        for loaded in library
        if loaded.key not in known
    ]
    # Workers starting together race here; the id derives from (name, version): any conflict is the same row.
    insert_ignoring_duplicates(session, StrategyVersion.__table__, rows, None)
