"""`arrears.fakes.twilio.start()`: the env it returns configures the product's Twilio provider against it,
which `arrears providers check` then finds healthy (what the demo's local fakes rely on)."""

from __future__ import annotations

import pytest

from arrears.fakes import twilio as fake_twilio
from arrears.providers.twilio.checks import check
from arrears.settings import Settings
from arrears.system.registry import twilio_config


def test_the_env_points_the_product_at_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    running = fake_twilio.start()
    try:
        assert running.name == "twilio" and running.url.startswith("http://127.0.0.1:")
        for name, value in running.env.items():
            monkeypatch.setenv(name, value)
        config = twilio_config(Settings())
        assert config is not None and config.sends and config.api_base_url == running.url
        result = check(config)
        assert result.ok, result
    finally:
        running.stop()
