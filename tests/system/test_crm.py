"""The registry's CRM part: which write-back offers settings turn on, and an incomplete Salesforce login
refused at start-up naming what is missing (never at the first delivery)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import hubspot as fake_hubspot
from arrears.fakes import salesforce as fake_salesforce
from arrears.providers.hubspot import HubSpotDestination
from arrears.providers.salesforce import SalesforceDestination
from arrears.settings import Settings
from arrears.system import build_system
from arrears.system.crm import crm_offers
from arrears.system.errors import ConfigError
from tests.conversations.support import NOW
from tests.providers.crm_writeback import seed_events


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


def test_the_worker_tick_writes_back_to_both_crms(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    hub, org = fake_hubspot.start(), fake_salesforce.start()
    try:
        hub.state.add_record("companies", arrears_customer_id="cust-1")
        org.state.add_account("cust-1")
        values: dict[str, Any] = {
            k.removeprefix("ARREARS_").lower(): v for k, v in {**hub.env, **org.env}.items()
        }
        url = engine.url.render_as_string(hide_password=False)
        configured = Settings(database_url=url, outbox_dir=tmp_path / "outbox", **values)
        system = build_system(configured, clock=SimulatedClock(NOW), engine=engine)
        assert [d.name for o in system.offers for d in o.destinations] == ["hubspot", "salesforce"]
        _, ids = seed_events(sessions)
        system.worker("test-worker").tick()

        assert [n["properties"]["arrears_event_id"] for n in hub.state.created("notes")] == [
            ids["outcome.recorded"]
        ]
        assert {t["Arrears_Event_Id__c"] for t in org.state.all("Task")} == {
            ids["outcome.recorded"],
            ids["task.opened"],
        }
    finally:
        hub.stop()
        org.stop()
