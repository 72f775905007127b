"""A real SMTP server (the aiosmtpd fake) per test, and the channel's settings pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from arrears.fakes import smtp as smtp_fake
from arrears.fakes.smtp import Security, SmtpFake
from arrears.providers.smtp import SmtpConfig

USER, PASSWORD = "collections@acme.example", "app-password-1"
FROM = "Acme Billing <collections@acme.example>"


def config_for(fake: SmtpFake, **changes: object) -> SmtpConfig:
    """The configuration the product builds from the fake's env (ARREARS_SMTP_*)."""
    env = fake.env
    ca = env.get("ARREARS_SMTP_CA_FILE")
    values: dict[str, object] = {
        "host": env["ARREARS_SMTP_HOST"],
        "port": int(env["ARREARS_SMTP_PORT"]),
        "security": env["ARREARS_SMTP_SECURITY"],
        "username": env.get("ARREARS_SMTP_USERNAME"),
        "password": env.get("ARREARS_SMTP_PASSWORD"),
        "from_address": FROM,
        "timeout_seconds": 3.0,
        "ca_file": Path(ca) if ca else None,
    }
    return SmtpConfig(**(values | changes))  # type: ignore[arg-type]


@pytest.fixture
def start_fake() -> Iterator[Callable[..., SmtpFake]]:
    """Starts fakes on demand; every one is stopped after the test."""
    started: list[SmtpFake] = []

    def start(security: Security = "none", *, auth: bool = False, idle_timeout: float = 300.0) -> SmtpFake:
        user, password = (USER, PASSWORD) if auth else (None, None)
        fake = smtp_fake.start(security=security, username=user, password=password, idle_timeout=idle_timeout)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()
