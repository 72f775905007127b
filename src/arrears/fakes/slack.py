"""A Slack incoming webhook on 127.0.0.1 answering as hooks.slack.com does: 200 "ok" for a message with
`text` or `blocks`, 400 "invalid_payload" for anything else, 403 "invalid_token" for a wrong URL secret,
and on demand (`fail_next`) 404 "no_service", 410 "channel_is_archived", 429 "rate_limited" with
Retry-After, or 500. Every accepted message is recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from arrears.fakes import RunningFake
from arrears.fakes.http_receiver import Answer, Failures, Request, serve

HOOK_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
_BODIES = {
    400: "invalid_payload",
    403: "invalid_token",
    404: "no_service",
    410: "channel_is_archived",
    429: "rate_limited",
    500: "internal_error",
}


@dataclass
class SlackHook(RunningFake):
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: Failures = field(default_factory=Failures)

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self.failures.add(Answer(status, _BODIES.get(status, "error"), retry_after, "text/html"), times)

    def _respond(self, request: Request) -> Answer:
        if request.path != HOOK_PATH:
            return Answer(403, "invalid_token", content_type="text/html")
        try:
            message = json.loads(request.body)
        except ValueError:
            return Answer(400, "invalid_payload", content_type="text/html")
        if not isinstance(message, dict) or not (message.get("text") or message.get("blocks")):
            return Answer(400, "invalid_payload", content_type="text/html")
        self.messages.append(message)
        return Answer(200, "ok", content_type="text/html")


def start() -> SlackHook:
    hook = SlackHook(name="slack", url="")
    base, hook.stop = serve(hook._respond, hook.failures)
    hook.url = base + HOOK_PATH
    hook.env = {"ARREARS_SLACK_WEBHOOK_URL": hook.url}
    return hook
