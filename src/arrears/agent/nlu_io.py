"""The `arrears nlu` line contract: one JSON request in, one JSON answer out, errors per line.

Kept beside ``understand`` (and free of I/O) so tools, evaluations and the CLI share one definition of the
wire format: ``{"text", "reference", "channel"}`` in; ``{"labels", "date", "amount", "currency",
"contains_card", "redacted", "confidence", "unsure", "model"}`` out, or ``{"error", "line", "field"}`` for a
line that cannot be read.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from arrears.agent.understand import Understanding, understand

MAX_LINE = 100_000


def answer(u: Understanding) -> dict[str, Any]:
    """The answer line; ``second_opinion`` appears only when an LLM read the turn too."""
    extra = {"second_opinion": u.second_opinion.as_dict()} if u.second_opinion else {}
    return {
        "labels": [label.value for label in u.labels],
        "date": u.date.isoformat() if u.date else None,
        "amount": u.amount,
        "currency": u.currency,
        "contains_card": u.contains_card,
        "redacted": u.redacted,
        "confidence": u.confidence,
        "unsure": u.unsure,
        "model": u.model,
        **extra,
    }


def error(line_no: int, field: str, message: str) -> dict[str, Any]:
    return {"error": message, "line": line_no, "field": field}


def handle_line(line: str, line_no: int, *, default_currency: str | None = None) -> dict[str, Any]:
    """Answer one request line; never raises for bad input."""
    if len(line) > MAX_LINE:
        return error(line_no, "line", f"line longer than {MAX_LINE} characters")
    try:
        request = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        return error(line_no, "line", f"not valid JSON: {exc}")
    if not isinstance(request, dict):
        return error(line_no, "line", "expected a JSON object")
    text = request.get("text")
    if not isinstance(text, str):
        return error(line_no, "text", "text must be a string")
    reference = request.get("reference")
    if not isinstance(reference, str):
        return error(line_no, "reference", "reference must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(reference)
    except ValueError:
        return error(line_no, "reference", f"reference {reference[:40]!r} is not ISO 8601")
    channel = request.get("channel", "chat")
    if not isinstance(channel, str):
        return error(line_no, "channel", "channel must be a string")
    language = request.get("language", "en")
    if not isinstance(language, str):
        return error(line_no, "language", "language must be a string")
    return answer(understand(text, moment, channel, language, default_currency=default_currency))
