"""Exports of what Arrears did (attempts, outcomes, tasks) as CSV or JSON lines, and the recovery sheet
(one row per case) as CSV or XLSX; all streamed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from arrears.export.recovery import count_cases, recovery_rows
from arrears.export.rows import COLUMNS, Kind, local_text, utc_text
from arrears.export.rows import rows as export_rows
from arrears.export.sheets import Progress, SheetFormat, write_sheet
from arrears.export.writers import ExportFormat, write
from arrears.store.db import session_factory


def export(
    engine: Engine,
    kind: Kind,
    out: TextIO,
    *,
    fmt: ExportFormat = "csv",
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write one export to `out` in a single read-only transaction; returns the number of rows.

    `since` is inclusive and `until` exclusive, on the attempt time (attempts) or creation time.
    """
    with session_factory(engine)() as session:
        return write(export_rows(session, kind, since=since, until=until), COLUMNS[kind], fmt, out)


def export_recovery(
    engine: Engine,
    fmt: SheetFormat,
    path: Path,
    *,
    now: datetime,
    progress: Progress | None = None,
    total: Callable[[int], None] | None = None,
) -> int:
    """Write the recovery sheet (one row per case) to `path` from one read-only transaction."""
    with session_factory(engine)() as session:
        if total is not None:
            total(count_cases(session))
        return write_sheet(recovery_rows(session, now), fmt, path, progress)


__all__ = [
    "COLUMNS",
    "ExportFormat",
    "Kind",
    "SheetFormat",
    "export",
    "export_recovery",
    "export_rows",
    "local_text",
    "utc_text",
]
