"""What several commands read from the command line the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import typer


def instant(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or date-time; without an offset it is UTC, like every time inside Arrears."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected an ISO 8601 date or date-time, got {value!r}", param_hint=option
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
