"""`arrears providers list|check` against real fakes: who serves what, each provider's read-only check, and a
wrong credential named with its fix and exit code 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.fakes import smtp, stripe
from arrears.fakes.smtp import SmtpFake
from arrears.settings import get_settings

USER, PASSWORD = "mailer", "right-password"


@pytest.fixture
def mail() -> Iterator[SmtpFake]:
    fake = smtp.start(security="starttls", username=USER, password=PASSWORD)
    yield fake
    fake.stop()


@pytest.fixture
def environment(mail: SmtpFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The product's settings pointed at an SMTP server and at Stripe, as an operator would set them."""
    pay = stripe.start()
    env = {
        **mail.env,
        **pay.env,
        "ARREARS_BUSINESS_NAME": "Northwind & Sons",
        "ARREARS_DATABASE_URL": f"sqlite:///{tmp_path / 'arrears.db'}",
        "ARREARS_OUTBOX_DIR": str(tmp_path / "out"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()
    pay.stop()


def test_list_names_the_provider_behind_each_channel_and_the_links(environment: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["providers", "list", "--json"])
    assert result.exit_code == 0, result.output
    served = json.loads(result.output)
    assert served["channel email"] == "smtp"
    assert served["channel sms"] == "local"  # no Twilio configured: the sink
    assert served["payment links"] == "stripe"


def test_check_passes_when_every_credential_works(environment: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["providers", "check", "--json"])
    assert result.exit_code == 0, result.output
    checks = {item["provider"]: item for item in json.loads(result.output)}
    assert {"smtp", "stripe"} <= set(checks)
    assert all(item["ok"] for item in checks.values())


def test_a_wrong_password_fails_with_its_fix_and_exit_code_1(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_SMTP_PASSWORD", "a-wrong-password")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["providers", "check"])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL smtp")]
    assert failed, result.output
    assert "fix:" in result.output
    assert "a-wrong-password" not in result.output  # the secret is never echoed


def test_without_providers_the_check_says_the_local_sinks_need_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_BUSINESS_NAME", "Northwind & Sons")
    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'arrears.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["providers", "check"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert "local sinks" in result.output
