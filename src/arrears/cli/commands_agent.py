"""Agent commands (`arrears nlu`, `arrears chat`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Filled in by the agent package work."""
