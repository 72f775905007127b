"""`arrears providers check` for SMTP: a session opened and closed without sending, and each usual
misconfiguration explained with its fix. The settings wire it (and the channel) into the system."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from arrears.fakes.smtp import SmtpFake
from arrears.providers.smtp import SmtpConfig, SmtpConfigError, check
from arrears.providers.smtp.check import explain
from arrears.settings import Settings
from arrears.system.registry import smtp_config
from tests.providers.smtp.conftest import PASSWORD, USER, config_for


def test_a_working_relay_passes_and_nothing_is_sent(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake("starttls", auth=True)
    result = check(config_for(fake))
    assert result.ok and result.provider == "smtp" and f"authenticated as {USER}" in result.detail
    assert fake.received == []


def test_a_wrong_password_says_which_settings_to_fix(start_fake: Callable[..., SmtpFake]) -> None:
    result = check(config_for(start_fake("tls", auth=True), password="not-it"))
    assert not result.ok and "refused the username or password (535)" in result.detail
    assert result.fix is not None and "ARREARS_SMTP_PASSWORD" in result.fix and "app password" in result.fix
    assert "not-it" not in result.detail + result.fix and PASSWORD not in result.detail


def test_a_refused_connection_names_host_and_port(start_fake: Callable[..., SmtpFake]) -> None:
    fake = start_fake()
    config = config_for(fake)
    fake.stop()
    result = check(config)
    assert not result.ok and "connection refused" in result.detail
    assert result.fix is not None and "ARREARS_SMTP_PORT" in result.fix


def test_implicit_tls_against_a_starttls_port_says_use_starttls(start_fake: Callable[..., SmtpFake]) -> None:
    result = check(config_for(start_fake("starttls"), security="tls"))
    assert not result.ok and "TLS failed" in result.detail
    assert result.fix is not None and "ARREARS_SMTP_SECURITY=starttls" in result.fix


@pytest.fixture
def port_465_speaking_tls() -> Iterator[int]:
    """Stands in for port 465: waits for a TLS hello and never greets in plain text."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def test_starttls_against_an_implicit_tls_port_says_use_tls(
    start_fake: Callable[..., SmtpFake], port_465_speaking_tls: int
) -> None:
    config = replace(config_for(start_fake()), port=port_465_speaking_tls, timeout_seconds=0.5)
    result = check(config)
    assert not result.ok and "no SMTP greeting" in result.detail
    assert result.fix is not None and "firewall" in result.fix  # any silent port: the firewall hint
    _, fix = explain(replace(config, port=465), TimeoutError("timed out"))  # port 465 itself: the plain one
    assert fix == "port 465 is implicit TLS: set ARREARS_SMTP_SECURITY=tls"


def test_the_settings_refuse_a_host_without_a_from_address() -> None:
    with pytest.raises(ValidationError, match="ARREARS_SMTP_FROM_ADDRESS is required"):
        Settings.model_validate({"smtp_host": "smtp.example.com"})
    with pytest.raises(SmtpConfigError, match="ARREARS_SMTP_FROM_ADDRESS"):
        SmtpConfig(host="smtp.example.com", from_address="collections")


def test_the_settings_build_the_config_with_the_usual_port(tmp_path: Path) -> None:
    assert smtp_config(Settings()) is None  # unset: the local email sink stays
    settings = Settings.model_validate(
        {
            "smtp_host": "smtp.gmail.com",
            "smtp_from_address": "billing@acme.example",
            "smtp_username": "billing@acme.example",
            "smtp_password": "app-password",
        }
    )
    config = smtp_config(settings)
    assert config is not None and config.effective_port == 587 and config.security == "starttls"
    assert config.password == "app-password" and "app-password" not in repr(settings)
    assert replace(config, security="tls", port=None).effective_port == 465
