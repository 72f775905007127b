"""How `arrears review list` shows held actions: full ids (to paste into approve/reject) and the words."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from arrears.engine.preview import Preview
from arrears.engine.review import ReviewItem


def review_json(items: Sequence[ReviewItem], previews: Mapping[str, Preview]) -> str:
    """Every field of every held action, and its message as it would go out now, as one JSON array."""
    return json.dumps([_record(item, previews.get(item.id, Preview())) for item in items], ensure_ascii=False)


def _record(item: ReviewItem, preview: Preview) -> dict[str, Any]:
    return {
        "id": item.id,
        "case_id": item.case_id,
        "channel": item.channel,
        "destination": item.destination,
        "destination_kind": item.destination_kind,
        "step_id": item.step_id,
        "template": item.template,
        "created_at": item.created_at.astimezone(UTC).isoformat(),
        "attempts": item.attempts,
        "last_error": item.last_error,
        "payload": item.payload,
        "message": preview.to_json(),
    }


def print_review(items: Sequence[ReviewItem], previews: Mapping[str, Preview], console: Console) -> None:
    """One block per action; ids are never cut (they fold rather than end in an ellipsis)."""
    console.print(f"{len(items)} action(s) waiting for review, oldest first")
    for item in items:
        console.print(_block(item, previews.get(item.id, Preview())))


def _block(item: ReviewItem, preview: Preview) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("", "")
    table.add_row("action", item.id)
    table.add_row("case", item.case_id)
    table.add_row("to", f"{item.channel} {item.destination or '(no destination)'}")
    table.add_row("step", f"{item.step_id} (template {item.template})")
    table.add_row(
        "created", f"{item.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {item.attempts} attempt(s)"
    )
    if item.last_error:
        table.add_row("note", item.last_error)
    table.add_row("gate now", _gate(preview.gate))
    if preview.note:
        table.add_row("message", preview.note)
        return table
    if preview.subject is not None:
        table.add_row("subject", preview.subject)
    table.add_row("message", Text(preview.body or ""))
    return table


def _gate(decision: Mapping[str, Any] | None) -> str:
    """The gate's verdict were the action sent now; the dispatcher asks again when it sends."""
    if not decision:
        return "not asked (no destination)"
    verdict = str(decision.get("verdict"))
    rules = ", ".join(str(r.get("rule_id")) for r in decision.get("reasons") or ())
    if decision.get("not_before"):
        verdict += f" until {decision['not_before']}"
    return f"{verdict} ({rules})" if rules else verdict
