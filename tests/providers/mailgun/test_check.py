"""`arrears providers check` for Mailgun: GET /v3/routes against the local Routes API fake proves the API
key and finds the route forwarding to our webhook, or says what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arrears.fakes import RunningFake
from arrears.fakes.mailgun import route, start
from arrears.providers.mailgun import MailgunConfig
from arrears.providers.mailgun.check import routes_check
from arrears.settings import Settings
from arrears.system.registry import mailgun_config

API_KEY = "key-0123456789abcdef"
PUBLIC = "https://arrears.brightwater.example"


@pytest.fixture
def fake() -> Iterator[RunningFake]:
    running = start(
        API_KEY, [route("https://elsewhere.example/hook"), route(f"{PUBLIC}/v1/email/inbound/mailgun/mime")]
    )
    yield running
    running.stop()


def _config(fake: RunningFake, **changes: str | None) -> MailgunConfig:
    values: dict[str, str | None] = {"api_key": API_KEY, "api_base": fake.url, "public_base_url": PUBLIC}
    values |= changes
    return MailgunConfig(
        "signing-key",
        api_key=values["api_key"],
        api_base=str(values["api_base"]),
        public_base_url=values["public_base_url"],
    )


def test_the_route_forwarding_to_our_webhook_is_found(fake: RunningFake) -> None:
    result = routes_check(_config(fake))()
    assert result.ok and "/v1/email/inbound/mailgun/mime" in result.detail


def test_a_wrong_api_key_is_named_with_its_fix(fake: RunningFake) -> None:
    result = routes_check(_config(fake, api_key="key-wrong"))()
    assert not result.ok and "401" in result.detail
    assert result.fix is not None and "ARREARS_MAILGUN_API_KEY" in result.fix
    assert "key-wrong" not in result.detail + result.fix


def test_no_route_to_this_deployment_says_which_to_create(fake: RunningFake) -> None:
    result = routes_check(_config(fake, public_base_url="https://other.example"))()
    assert (
        not result.ok
        and "no route forwards to https://other.example/v1/email/inbound/mailgun" in result.detail
    )
    assert (
        result.fix is not None
        and 'forward("https://other.example/v1/email/inbound/mailgun/mime")' in result.fix
    )


def test_an_unreachable_api_names_the_region_setting(fake: RunningFake) -> None:
    fake.stop()
    result = routes_check(_config(fake))()
    assert not result.ok and result.fix is not None and "ARREARS_MAILGUN_API_BASE" in result.fix


def test_the_check_is_offered_only_with_an_api_key(fake: RunningFake, tmp_path: Path) -> None:
    without = mailgun_config(Settings(mailgun_signing_key="k", outbox_dir=tmp_path))
    assert without is not None and without.api_key is None
    env = {"mailgun_api_key": API_KEY, "mailgun_api_base": fake.url, "public_base_url": PUBLIC + "/"}
    configured = mailgun_config(Settings(mailgun_signing_key="k", outbox_dir=tmp_path, **env))  # type: ignore[arg-type]
    assert configured is not None and routes_check(configured)().ok
    assert mailgun_config(Settings(outbox_dir=tmp_path)) is None  # no signing key: no routes, no offer
