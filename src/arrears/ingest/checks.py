"""What a row must satisfy in this deployment, beyond its own shape: a strategy the deployment has, and an
address some compliance profile covers.

A row that passes these today and is refused at every contact days later is worse than a row error now.
The facts come in from the composition layer (the CLI builds them from settings): nothing here reads
settings, and without them (the library's default) an import checks nothing of the kind.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from operator import itemgetter

from arrears.ingest.rows import CUSTOMER_FIELDS, InvoiceRow, RowError

#: (country, state, city, postal_code) -> None when acceptable, else the reason it is not.
AddressCheck = Callable[[str | None, str | None, str | None, str | None], str | None]
_PLACE = itemgetter(*(CUSTOMER_FIELDS.index(name) for name in ("country", "state", "city", "postal_code")))
_CACHE_LIMIT = 4_096


@dataclass(frozen=True)
class DeploymentChecks:
    """`strategies`: the names an account may ask for (None: not checked); `address`: see `AddressCheck`."""

    strategies: Collection[str] | None = None
    address: AddressCheck | None = None

    def __bool__(self) -> bool:
        return self.strategies is not None or self.address is not None


class RowChecker:
    """`check(row)`: the errors of one validated row under the deployment's checks (usually none)."""

    def __init__(self, checks: DeploymentChecks) -> None:
        self._known = frozenset(checks.strategies) if checks.strategies is not None else None
        self._address = checks.address
        self._places: dict[tuple[str | None, ...], str | None] = {}
        self._last: tuple[object, str | None] = (None, None)

    def check(self, row: InvoiceRow) -> list[RowError]:
        errors: list[RowError] = []
        known = self._known
        if known is not None and row.strategy is not None and row.strategy not in known:
            names = ", ".join(sorted(known)) or "(none)"
            reason = f"unknown strategy {row.strategy!r}; this deployment has: {names}"
            errors.append(RowError(row.line, "strategy", reason, row.invoice_ext))
        if self._address is not None:
            fields = row.customer.fields
            if fields is not self._last[0]:  # a customer's rows share one tuple: decided once for them
                self._last = (fields, self._place(fields))
            refused = self._last[1]
            if refused is not None:
                errors.append(RowError(row.line, "country", refused, row.invoice_ext))
        return errors

    def _place(self, fields: tuple[str | None, ...]) -> str | None:
        assert self._address is not None
        place: tuple[str | None, ...] = _PLACE(fields)
        if place in self._places:
            return self._places[place]
        reason = self._address(*place)
        if len(self._places) >= _CACHE_LIMIT:
            self._places.clear()
        self._places[place] = reason
        return reason
