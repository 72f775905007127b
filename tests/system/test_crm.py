"""The registry's CRM part: which write-back offers settings turn on, and an incomplete Salesforce login
refused at start-up naming what is missing (never at the first delivery)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arrears.providers.hubspot import HubSpotDestination
from arrears.providers.salesforce import SalesforceDestination
from arrears.settings import Settings
from arrears.system.crm import crm_offers
from arrears.system.errors import ConfigError


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", **values)


def test_no_crm_settings_no_offers(tmp_path: Path) -> None:
    assert crm_offers(settings(tmp_path)) == []


def test_each_crm_offers_its_destination_and_its_check(tmp_path: Path) -> None:
    offers = crm_offers(
        settings(
            tmp_path,
            hubspot_access_token="pat-na1-x",
            hubspot_object="deal",
            salesforce_instance_url="https://n.my.salesforce.com",
            salesforce_session_id="00D!x",
        )
    )
    assert [o.name for o in offers] == ["hubspot", "salesforce"]
    hub, sf = (o.destinations[0] for o in offers)
    assert isinstance(hub, HubSpotDestination) and hub.config.plural == "deals"
    assert isinstance(sf, SalesforceDestination) and sf.config.api_version == "59.0"
    assert all(len(o.checks) == 1 for o in offers)


def test_an_incomplete_salesforce_login_is_refused_naming_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ARREARS_SALESFORCE_INSTANCE_URL"):
        crm_offers(settings(tmp_path, salesforce_session_id="00D!x"))


def test_a_wrong_hubspot_object_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="hubspot_object"):
        settings(tmp_path, hubspot_access_token="t", hubspot_object="contact")
