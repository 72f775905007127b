"""Build the engine's parts from settings: the one place that picks implementations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.sync import StrategyResolver
from arrears.channels.base import Channel
from arrears.channels.local import local_channels
from arrears.compliance.gate import ProfileGate
from arrears.compliance.minimal import MinimalGate
from arrears.compliance.model import ContactGate
from arrears.engine.facts import CaseFacts
from arrears.settings import Settings
from arrears.store.bulk import insert_ignoring_duplicates
from arrears.store.models import StrategyVersion
from arrears.strategy.catalog import StrategyLibrary


@lru_cache(maxsize=8)
def _library(directory: Path | None) -> StrategyLibrary:
    return StrategyLibrary.load(directory)


def strategy_library(settings: Settings) -> StrategyLibrary:
    return _library(settings.strategies_dir)


def strategy_resolver(settings: Settings) -> StrategyResolver:
    """An account's named strategy (or the default) at its latest version: new cases take the newest."""
    library = strategy_library(settings)

    def resolve(name: str | None) -> tuple[str, int]:
        chosen = name if name and library.versions(name) else settings.default_strategy
        loaded = library.get(chosen)
        return loaded.key

    return resolve


def contact_gate(settings: Settings) -> ContactGate:
    """The profile-driven gate (every hard rule of RULES.md), or the stop-gap one when asked for."""
    if settings.gate == "minimal":
        return MinimalGate()
    dirs = (settings.profiles_dir,) if settings.profiles_dir else ()
    return ProfileGate.from_files(settings.collector_kind, settings.tenant_file, dirs)


def disclosure_texts(gate: ContactGate) -> Callable[[CaseFacts], Mapping[str, str]]:
    """The texts behind the disclosure ids a decision returns, from the policy of the customer's place."""
    if not isinstance(gate, ProfileGate):
        return lambda _facts: {}

    def texts(facts: CaseFacts) -> Mapping[str, str]:
        policy = gate.policy_for(facts.address)
        if policy is None:
            return {}
        return {key: disclosure.text for key, disclosure in policy.disclosures.items()}

    return texts


def channels(settings: Settings) -> dict[str, Channel]:
    return dict(local_channels(settings.outbox_dir))


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
    insert_ignoring_duplicates(session, StrategyVersion.__table__, rows, ["name", "version"])
