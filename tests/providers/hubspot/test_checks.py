"""`arrears providers check` for HubSpot: the token and the custom properties, read-only, with the fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arrears.fakes import hubspot as fake_hubspot
from arrears.providers.hubspot import HubSpotConfig, check


@pytest.fixture
def hub() -> Iterator[fake_hubspot.HubSpotFake]:
    running = fake_hubspot.start()
    yield running
    running.stop()


def test_a_token_and_every_property_pass_with_reads_only(hub: fake_hubspot.HubSpotFake) -> None:
    result = check(HubSpotConfig(access_token="pat-na1-fake-token", api_base=hub.url))
    assert result.ok and result.provider == "hubspot"
    assert [(r.method, r.path) for r in hub.state.recorder.requests] == [
        ("GET", "/crm/v3/properties/companies"),
        ("GET", "/crm/v3/properties/notes"),
        ("GET", "/crm/v3/properties/tasks"),
    ]


def test_missing_properties_are_named(hub: fake_hubspot.HubSpotFake) -> None:
    hub.state.properties["deals"].discard("arrears_balance")
    hub.state.properties["tasks"].discard("arrears_event_id")
    result = check(HubSpotConfig(access_token="pat-na1-fake-token", api_base=hub.url, object_type="deal"))
    assert not result.ok
    assert result.detail == "custom properties missing: deals.arrears_balance, tasks.arrears_event_id"
    assert result.fix is not None and "docs/providers/crm.md" in result.fix


def test_a_wrong_token_says_how_to_get_one(hub: fake_hubspot.HubSpotFake) -> None:
    result = check(HubSpotConfig(access_token="wrong", api_base=hub.url))
    assert not result.ok and "401" in result.detail
    assert result.fix is not None and "private app" in result.fix


def test_no_answer_is_a_failed_check_not_an_exception() -> None:
    result = check(HubSpotConfig(access_token="t", api_base="http://127.0.0.1:9", timeout_seconds=1))
    assert not result.ok and "unreachable" in result.detail
