"""Structured logs: one JSON object per line (or key=value for people), never secrets or personal data.

Call sites pass only identifiers and counts in `extra`; anything that looks like a secret is masked here
as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRET_KEYS = re.compile(r"(key|token|secret|password|authorization|card|cvv|pan)", re.IGNORECASE)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, value in vars(record).items():
        if name in _STANDARD or name.startswith("_"):
            continue
        fields[name] = "***" if _SECRET_KEYS.search(name) else value
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        return f"{stamp} {record.levelname.lower():7} {record.name}: {record.getMessage()} {pairs}".rstrip()


def configure(level: str = "INFO", *, json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access line quotes the raw path and query string (`?api_key=...`, `/pay/<token>`);
    # `arrears.api.access_log` writes the request line instead, with the route template only.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
