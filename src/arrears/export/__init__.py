"""Exports of what Arrears did (attempts, outcomes, tasks) as CSV or JSON lines, streamed."""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine

from arrears.export.rows import COLUMNS, Kind, local_text, utc_text
from arrears.export.rows import rows as export_rows
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


__all__ = ["COLUMNS", "ExportFormat", "Kind", "export", "export_rows", "local_text", "utc_text"]
