"""Local stand-ins for the vendors, speaking each vendor's wire format on 127.0.0.1 over real sockets.

The tests point the official SDKs at them, and `arrears demo --providers local-fakes` runs the product
against all of them, so a newcomer sees a real SMTP conversation and a Stripe-shaped payment without an
account anywhere. Each module exposes `start(...) -> RunningFake`: the fake is serving when it returns,
`env` holds the ARREARS_* settings that point the product at it, and `stop()` shuts it down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RunningFake:
    name: str  # "smtp", "twilio", "stripe", "hubspot", "salesforce", "webhooks", "slack", "mailgun"
    url: str  # where it listens (http://127.0.0.1:port or smtp://127.0.0.1:port)
    env: dict[str, str] = field(default_factory=dict)
    stop: Callable[[], None] = lambda: None
