"""The Python half of storing a batch: first-wins duplicates, in-file ownership, and the merge of what the
kept rows say about each customer, account, contact point and consent (the last row that gives a value
wins, as documented).

Everything that needs the database (duplicates from earlier batches, stored ownership, what exists) is
answered by set-based SQL around this; what is left here is one pass over the rows with dictionary
lookups. Customer facts are shared objects (see `arrears.ingest.fast`), so a customer's second, third...
row with the same facts costs one identity test instead of a merge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from arrears.ingest.rows import CustomerFacts, InvoiceRow, RowError


def first_of_each(rows: list[InvoiceRow]) -> tuple[list[InvoiceRow], list[tuple[InvoiceRow, int]]]:
    """The first row of each invoice id in the batch, and every later one with the line of the first."""
    first: dict[str, int] = {}
    unique: list[InvoiceRow] = []
    later: list[tuple[InvoiceRow, int]] = []
    for row in rows:
        line = first.setdefault(row.invoice_ext, row.line)
        if line == row.line:
            unique.append(row)
        else:
            later.append((row, line))
    return unique, later


@dataclass
class Settled:
    """The batch after its checks: errors, the lines to drop from staging, and the staging rows."""

    errors: list[RowError] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    kept: int = 0
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)


def settle(
    unique: list[InvoiceRow],
    later: list[tuple[InvoiceRow, int]],
    seen_before: dict[int, int],
    conflicts: dict[int, tuple[str, str]],
    *,
    consent_source: str,
    now: datetime,
    ts: Callable[[datetime], Any],
) -> Settled:
    """Decide every row of the batch, in file order, and merge the kept ones.

    `seen_before` maps a line to the line of an earlier batch with the same invoice id; `conflicts` maps
    a line to the field and reason of its conflict with stored records (ownership, currency). A row is
    kept unless it repeats an invoice id, or its account belongs to another customer on an earlier kept
    row of the batch, or it contradicts stored records (the first reason found is the one reported).
    """
    out = Settled()
    duplicates = [(row, seen_before.get(first, first)) for row, first in later]
    duplicates += [(row, seen_before[row.line]) for row in unique if row.line in seen_before]
    for row, first in sorted(duplicates, key=lambda item: item[0].line):
        reason = f"duplicate invoice id; first seen on line {first}"
        out.errors.append(RowError(row.line, "invoice_id", reason, row.invoice_ext))
    out.rejected.extend(row.line for row in unique if row.line in seen_before)
    merge = _Merge()
    owner: dict[str, str] = {}
    for row in unique:
        line = row.line
        if line in seen_before:
            continue
        claimed = owner.get(row.account_ext)
        field = "account_id"
        if claimed is not None and claimed != row.customer_ext:
            reason = f"account {row.account_ext!r} belongs to customer {claimed!r} on an earlier row"
        elif line in conflicts:
            field, reason = conflicts[line]
        else:
            owner[row.account_ext] = row.customer_ext
            merge.add(row)
            out.kept += 1
            continue
        out.errors.append(RowError(line, field, reason, row.invoice_ext))
        out.rejected.append(line)
    merge.finish(out, consent_source, now, ts)
    return out


class _Merge:
    """Per key, the values of the kept rows with the last one that gives each value winning."""

    def __init__(self) -> None:
        self.facts: dict[str, CustomerFacts] = {}  # the last facts merged per customer
        self.customers: dict[str, tuple[str | None, ...]] = {}
        self.accounts: dict[str, list[Any]] = {}
        self.contacts: dict[tuple[str, str, str], str] = {}
        self.consents: dict[tuple[str, str, str], tuple[bool, str | None, datetime | None]] = {}

    def add(self, row: InvoiceRow) -> None:
        account = self.accounts.get(row.account_ext)
        if account is None:
            self.accounts[row.account_ext] = [row.customer_ext, row.agency_placement_allowed, row.strategy]
        else:
            if row.agency_placement_allowed is not None:
                account[1] = row.agency_placement_allowed
            if row.strategy is not None:
                account[2] = row.strategy
        customer = row.customer_ext
        facts = row.customer
        if self.facts.get(customer) is facts:
            return  # the same facts as this customer's last row: merging again changes nothing
        last = self.facts.get(customer)
        self.facts[customer] = facts
        before = self.customers.get(customer)
        if before is None:
            self.customers[customer] = facts.fields
        elif before is not facts.fields:
            self.customers[customer] = tuple(
                old if new is None else new for old, new in zip(before, facts.fields, strict=True)
            )
        if last is None or last.contacts is not facts.contacts:
            for contact in facts.contacts:
                self.contacts[(customer, contact.channel, contact.value)] = contact.kind
        for consent in facts.consents:
            key = (customer, consent.channel, consent.destination)
            self.consents[key] = (consent.granted, consent.source, consent.at)

    def finish(self, out: Settled, consent_source: str, now: datetime, ts: Callable[[datetime], Any]) -> None:
        out.customers = [(n, ext, *values) for n, (ext, values) in enumerate(self.customers.items())]
        out.accounts = [(n, ext, *values) for n, (ext, values) in enumerate(self.accounts.items())]
        channels: set[tuple[str, str]] = set()
        for n, ((customer, channel, value), kind) in enumerate(self.contacts.items()):
            first = (customer, channel) not in channels
            channels.add((customer, channel))
            out.contacts.append((n, customer, channel, value, kind, first))
        rendered = ts(now)
        for n, ((customer, channel, destination), (granted, source, at)) in enumerate(self.consents.items()):
            when = rendered if at is None else ts(at)
            out.consents.append((n, customer, channel, destination, granted, source or consent_source, when))
