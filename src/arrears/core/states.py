"""Status enums with transition tables: a record moves only along the arrows its table lists.

Each domain declares its enum and its table beside it; writers ask `check` before they change a status, so
an impossible move (a resolved task claimed again, a released hold released twice) is refused with the
record named, never silently written.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class TransitionError(ValueError):
    """A status change the record's transition table does not allow."""

    def __init__(self, record: str, record_id: str, old: str, new: str, allowed: tuple[str, ...]) -> None:
        choices = ", ".join(allowed) or "nothing (it is final)"
        super().__init__(f"{record} {record_id} is {old}: it cannot become {new} (it can become {choices})")
        self.record = record
        self.record_id = record_id
        self.old = old
        self.new = new


class Transitions(Generic[S]):
    """The allowed moves of one status enum; statuses absent from the table are final."""

    def __init__(self, record: str, table: Mapping[S, frozenset[S]]) -> None:
        self.record = record
        self.table = dict(table)

    def allowed(self, old: S) -> frozenset[S]:
        return self.table.get(old, frozenset())

    def can(self, old: S, new: S) -> bool:
        return new in self.allowed(old)

    def check(self, record_id: str, old: S, new: S) -> None:
        if not self.can(old, new):
            allowed = tuple(sorted(s.value for s in self.allowed(old)))
            raise TransitionError(self.record, record_id, old.value, new.value, allowed)

    def sources(self, new: S) -> tuple[S, ...]:
        """Every status that may move to `new`: the WHERE clause of a set-based move."""
        return tuple(old for old, targets in self.table.items() if new in targets)
