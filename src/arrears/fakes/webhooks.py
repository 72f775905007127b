"""A Standard Webhooks receiver on 127.0.0.1, as a customer's endpoint would be: it verifies each message
with the `standardwebhooks` package (the reference library receivers use), answers 400 to a bad signature
and records nothing, records every verified delivery, and can answer 500, 429 (with Retry-After) or 410 on
demand (`fail_next`). `ids()` are the distinct webhook-ids seen: a receiver deduplicating on them (as the
specification asks) applies each event once however often it was delivered.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from arrears.fakes import RunningFake
from arrears.fakes.http_receiver import Answer, Failures, Request, serve


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode("ascii")


@dataclass
class Delivery:
    id: str
    timestamp: str
    signature: str
    body: bytes
    message: dict[str, Any]


@dataclass
class WebhookReceiver(RunningFake):
    secret: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: int = 0
    failures: Failures = field(default_factory=Failures)

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with `status` (500, 429, 410...) before serving normally."""
        self.failures.add(
            Answer(status, json.dumps({"error": status}), retry_after, "application/json"), times
        )

    def ids(self) -> list[str]:
        """Distinct webhook-ids in order of first arrival."""
        return list(dict.fromkeys(d.id for d in self.deliveries))

    def _respond(self, request: Request) -> Answer:
        try:
            message = Webhook(self.secret).verify(request.body, request.headers)
        except WebhookVerificationError:
            self.rejected += 1
            return Answer(400, '{"error":"invalid signature"}', content_type="application/json")
        h = request.headers
        self.deliveries.append(
            Delivery(h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"], request.body, message)
        )
        return Answer(204)


def endpoints_yaml(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, indent=2)  # JSON is YAML: no quoting surprises


def start(
    secret: str | None = None,
    *,
    config_dir: Path | None = None,
    name: str = "receiver",
    signing_secrets: list[str] | None = None,
    events: list[str] | None = None,
) -> WebhookReceiver:
    """Serve a receiver verifying with `secret` (new one if None), and write an endpoints file pointing at
    it (into `config_dir`, else a temporary directory removed by `stop()`) signed with `signing_secrets`
    (default [secret]); `env` names the file."""
    receiver = WebhookReceiver(name="webhooks", url="", secret=secret or new_secret())
    base, stop_serving = serve(receiver._respond, receiver.failures)
    receiver.url = base + "/hooks/arrears"
    scratch = None if config_dir is not None else tempfile.mkdtemp(prefix="arrears-webhooks-")
    entry: dict[str, Any] = {"name": name, "url": receiver.url}
    entry["secrets"] = signing_secrets or [receiver.secret]
    entry["events"] = events or ["*"]
    path = Path(scratch or config_dir or ".") / "webhook-endpoints.yaml"
    path.write_text(endpoints_yaml([entry]), encoding="utf-8")
    receiver.env = {"ARREARS_WEBHOOK_ENDPOINTS": str(path)}

    def stop() -> None:
        stop_serving()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    receiver.stop = stop
    return receiver
