"""The Slack message for one pass's opened tasks: a header and one line per task (pure).

Only what a team channel should see: the task's reason, the case id, the amount still owed and the owner,
and a link to the case. Never the customer's name, address, phone or email, nor the task's free-text
summary (it may quote the customer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arrears.core.money import format_minor
from arrears.writeback.base import Item

#: Slack allows 50 blocks a message: the header, this many tasks, and a line saying how many more.
MAX_TASKS = 45


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def task_line(item: Item, case_url: str | None) -> str:
    event, case = item
    reason = _escape(str(event.data.get("reason", "task")).replace("_", " "))
    parts = [f"*{reason}*"]
    if event.case_id:
        parts.append(f"case `{_escape(event.case_id)}`")
    if case is not None:
        parts.append(f"{case.currency} {format_minor(case.balance_minor, case.currency)} owed")
        parts.append(f"owner: {_escape(case.owner)}" if case.owner else "unassigned")
    line = " · ".join(parts)
    if case_url and event.case_id:
        line += f"\n<{case_url.format(case_id=event.case_id)}|Open the case>"
    return line


def tasks_message(items: Sequence[Item], case_url: str | None) -> dict[str, Any]:
    """One message listing every task (the first MAX_TASKS, then how many more)."""
    count = len(items)
    title = f"{count} task{'s' if count != 1 else ''} need{'s' if count == 1 else ''} a person"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    for item in items[:MAX_TASKS]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": task_line(item, case_url)}})
    if count > MAX_TASKS:
        more = f"…and {count - MAX_TASKS} more in the queue"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": title, "blocks": blocks}
