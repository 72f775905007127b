"""The set of strategies a deployment can run: the shipped ones plus an operator's directory.

Cases record (name, version); the library answers for exactly that pair so a case keeps the version it
started with while new cases take the latest. Two files claiming the same (name, version) with different
content are refused, because an audit trail that names a version must mean one thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from arrears.strategy.loader import (
    LoadedStrategy,
    StrategyError,
    StrategyIssue,
    load_strategy,
    parse_strategy,
)
from arrears.strategy.schema import Strategy

SHIPPED_PACKAGE = "arrears.strategy"
SHIPPED_FOLDER = "library"


class StrategyLibrary:
    def __init__(self, strategies: Iterable[LoadedStrategy] = ()) -> None:
        self._by_key: dict[tuple[str, int], LoadedStrategy] = {}
        issues: list[StrategyIssue] = []
        for loaded in strategies:
            existing = self._by_key.get(loaded.key)
            if existing is None:
                self._by_key[loaded.key] = loaded
            elif existing.content_hash != loaded.content_hash:
                name, version = loaded.key
                issues.append(
                    StrategyIssue(
                        loaded.source,
                        None,
                        "version",
                        f"{name} version {version} is already defined differently "
                        f"in {existing.source}; give this one a new version number",
                    )
                )
        if issues:
            raise StrategyError(issues)

    @classmethod
    def load(cls, directory: Path | None = None, *, include_shipped: bool = True) -> StrategyLibrary:
        """Shipped strategies plus every *.yaml/*.yml in `directory`; all errors are reported at once."""
        loaded: list[LoadedStrategy] = []
        issues: list[StrategyIssue] = []
        sources: list[tuple[str, str]] = list(shipped_sources()) if include_shipped else []
        if directory is not None:
            if not directory.is_dir():
                raise StrategyError([StrategyIssue(str(directory), None, "", "not a directory")])
            files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
            for path in files:
                try:
                    loaded.append(load_strategy(path))
                except StrategyError as exc:
                    issues += exc.issues
        for label, text in sources:
            try:
                loaded.append(parse_strategy(text, label))
            except StrategyError as exc:
                issues += exc.issues
        if issues:
            raise StrategyError(issues)
        return cls(loaded)

    def get(self, name: str, version: int | None = None) -> LoadedStrategy:
        """Exactly (name, version), or the highest version of `name` when version is None."""
        if version is not None:
            try:
                return self._by_key[(name, version)]
            except KeyError:
                raise KeyError(f"no strategy {name!r} version {version}") from None
        versions = self.versions(name)
        if not versions:
            raise KeyError(f"no strategy named {name!r}")
        return self._by_key[(name, versions[-1])]

    def strategy(self, name: str, version: int | None = None) -> Strategy:
        return self.get(name, version).strategy

    def versions(self, name: str) -> list[int]:
        return sorted(v for (n, v) in self._by_key if n == name)

    def names(self) -> list[str]:
        return sorted({n for (n, _) in self._by_key})

    def __iter__(self) -> Iterator[LoadedStrategy]:
        return iter(sorted(self._by_key.values(), key=lambda s: s.key))

    def __len__(self) -> int:
        return len(self._by_key)


def shipped_sources() -> Iterator[tuple[str, str]]:
    """(label, text) for each strategy file shipped inside the package, read through importlib.resources
    so it works from a wheel or a zip as well as from a checkout."""
    folder = resources.files(SHIPPED_PACKAGE).joinpath(SHIPPED_FOLDER)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            yield f"{SHIPPED_FOLDER}/{entry.name}", entry.read_text(encoding="utf-8")
