"""Agent commands: `arrears nlu` (the stable line contract) and `arrears chat` (play the dialogue)."""

from __future__ import annotations

import io
import json
import sys

import typer

from arrears.agent.nlu_io import handle_line


def nlu(
    default_currency: str | None = typer.Option(
        None, "--currency", help="account currency for amounts said without one (e.g. USD)"
    ),
) -> None:
    """Read JSON lines {"text","reference","channel"} on stdin; write one JSON answer per line, in order."""
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        # Undecodable bytes must become U+FFFD on one line, not abort the whole run.
        stdin.reconfigure(encoding="utf-8", errors="replace")
    out = sys.stdout
    for line_no, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        result = handle_line(line, line_no, default_currency=default_currency)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def register(app: typer.Typer) -> None:
    app.command(name="nlu")(nlu)
