"""Group the file's records into validated batches, each of bounded size.

A batch closes after `batch_size` records *read*, valid or not, so a file full of bad rows still yields
bounded batches (and bounded error lists) instead of one growing list: memory stays flat. This runs on
the import's reading thread (`arrears.ingest.reader`). An earlier reading thread lost to the GIL hand-offs
of a per-row `executemany` on the writing side; the writing side now runs a few large statements per
batch, so the overlap pays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from arrears.ingest.checks import DeploymentChecks, RowChecker
from arrears.ingest.readers import ByteCounter, RawRecord
from arrears.ingest.rows import InvoiceRow, RowError

Validate = Callable[[int, list[str]], InvoiceRow | list[RowError]]


@dataclass
class Batch:
    """Up to `batch_size` records of the file: the valid rows and the errors of the others, in order."""

    rows: list[InvoiceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    consumed: int = 0  # bytes of the file read so far, for progress


def validated_batches(
    records: Iterator[RawRecord | RowError],
    validate: Validate,
    counter: ByteCounter,
    batch_size: int,
    checks: DeploymentChecks | None = None,
) -> Iterator[Batch]:
    """Group records into batches of at most `batch_size` *read* records (valid or not), so a file full
    of bad rows still yields bounded batches instead of one growing list of errors. `validate` is a
    `FastValidator`'s for the file's header (or the mapping stage's, which ends in one)."""
    if checks:
        validate = _checked(validate, RowChecker(checks).check)
    batch = Batch()
    for record in records:
        batch.read += 1
        if isinstance(record, RowError):
            batch.rejected += 1
            batch.errors.append(record)
        else:
            result = validate(*record)
            if isinstance(result, list):
                batch.rejected += 1
                batch.errors.extend(result)
            else:
                batch.rows.append(result)
        if batch.read >= batch_size:
            batch.consumed = counter.consumed
            yield batch
            batch = Batch()
    batch.consumed = counter.consumed
    if batch.read:
        yield batch


def _checked(validate: Validate, check: Callable[[InvoiceRow], list[RowError]]) -> Validate:
    """`validate`, then the deployment's checks on a row that passed (a wrapper only when there are
    checks, so an import without them runs exactly as before)."""

    def checked(line: int, values: list[str]) -> InvoiceRow | list[RowError]:
        result = validate(line, values)
        if isinstance(result, list):
            return result
        return check(result) or result

    return checked
