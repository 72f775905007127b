"""`arrears providers check` for Salesforce: describes of Task and Account, naming any field to create."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arrears.fakes import salesforce as fake_salesforce
from arrears.providers.salesforce import SalesforceConfig, check
from arrears.providers.salesforce.client import LazyClient


@pytest.fixture
def org() -> Iterator[fake_salesforce.SalesforceFake]:
    running = fake_salesforce.start()
    yield running
    running.stop()


def client(org: fake_salesforce.SalesforceFake, session_id: str | None = None) -> LazyClient:
    sid = session_id or org.state.session_id
    return LazyClient(
        SalesforceConfig(instance_url="https://n.my.salesforce.com", session_id=sid, api_base=org.url)
    )


def test_a_session_and_the_fields_pass_with_reads_only(org: fake_salesforce.SalesforceFake) -> None:
    result = check(client(org))
    assert result.ok
    assert {(r.method, r.path) for r in org.state.recorder.requests} == {
        ("GET", "/services/data/v59.0/sobjects/Task/describe"),
        ("GET", "/services/data/v59.0/sobjects/Account/describe"),
    }


def test_missing_and_non_external_fields_are_named(org: fake_salesforce.SalesforceFake) -> None:
    org.state.fields["Task"].discard("Arrears_Event_Id__c")
    org.state.external_ids["Account"].clear()
    result = check(client(org))
    assert not result.ok
    assert result.detail == (
        "Task.Arrears_Event_Id__c is missing; "
        "Account.Arrears_Customer_Id__c is not marked External ID (and Unique)"
    )
    assert result.fix is not None and "Object Manager" in result.fix


def test_an_expired_session_says_how_to_renew(org: fake_salesforce.SalesforceFake) -> None:
    result = check(client(org, "00D!expired"))
    assert not result.ok and "INVALID_SESSION_ID" in result.detail
    assert result.fix is not None and "ARREARS_SALESFORCE_SESSION_ID" in result.fix
