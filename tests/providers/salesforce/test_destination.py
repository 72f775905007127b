"""Salesforce write-back through simple-salesforce against the local fake: Tasks upserted by our event id
(a replay updates, never duplicates), Account figures upserted by the customer's id, and Salesforce's error
arrays read as refused (a person must act) or unavailable (retried)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arrears.fakes import salesforce as fake_salesforce
from arrears.fakes.crm_server import Answer
from arrears.providers.salesforce import SalesforceConfig, SalesforceDestination
from arrears.writeback.base import DeliveryRefused, DeliveryUnavailable
from tests.providers.crm_support import CUSTOMER, case, event

API = "/services/data/v59.0/sobjects"


@pytest.fixture
def org() -> Iterator[fake_salesforce.SalesforceFake]:
    running = fake_salesforce.start()
    yield running
    running.stop()


def destination(org: fake_salesforce.SalesforceFake, **changes: Any) -> SalesforceDestination:
    config: dict[str, Any] = {
        "instance_url": "https://northwind.my.salesforce.com",
        "session_id": org.state.session_id,
        "api_base": org.url,
        **changes,
    }
    return SalesforceDestination(SalesforceConfig(**config))


def test_an_outcome_is_a_completed_task_on_the_customers_account(org: fake_salesforce.SalesforceFake) -> None:
    account = org.state.add_account(CUSTOMER)
    destination(org).deliver(event("outcome.recorded", "evt-1"), case())

    calls = [(r.method, r.path) for r in org.state.recorder.requests]
    assert calls == [
        ("GET", f"{API}/Account/Arrears_Customer_Id__c/{CUSTOMER}"),
        ("PATCH", f"{API}/Task/Arrears_Event_Id__c/evt-1"),
    ]
    upsert = org.state.recorder.requests[1]
    assert upsert.header("authorization") == f"Bearer {org.state.session_id}"
    body = upsert.body
    assert {k: body[k] for k in ("Subject", "Status", "Priority", "ActivityDate", "WhatId")} == {
        "Subject": "Arrears outcome: booked",
        "Status": "Completed",
        "Priority": "Normal",
        "ActivityDate": "2026-03-10",
        "WhatId": account,
    }
    assert "Promise: 1243.50 USD by 2026-03-20" in body["Description"]
    assert "Arrears_Event_Id__c" not in body  # the external id travels in the URL only


def test_three_deliveries_of_an_event_leave_one_task(org: fake_salesforce.SalesforceFake) -> None:
    org.state.add_account(CUSTOMER)
    dest = destination(org)
    for _ in range(3):
        dest.deliver(event("task.opened", "evt-2"), case())
    (task,) = org.state.all("Task")
    assert (task["Arrears_Event_Id__c"], task["Status"], task["Priority"]) == ("evt-2", "Not Started", "High")
    assert task["Subject"] == "Arrears: dispute"


def test_a_task_for_a_customer_without_an_account_is_still_written(
    org: fake_salesforce.SalesforceFake,
) -> None:
    destination(org).deliver(event("task.opened", "evt-3"), case())
    (task,) = org.state.all("Task")
    assert "WhatId" not in task


def test_figures_are_upserted_on_the_account_by_the_customers_id(org: fake_salesforce.SalesforceFake) -> None:
    account = org.state.add_account(CUSTOMER, name="Northwind")
    dest = destination(org)
    dest.deliver(event("payment.applied"), case())
    dest.deliver(event("case.stage_changed"), case(stage="day_21_handoff"))

    (upsert, _) = [r for r in org.state.recorder.requests if r.method == "PATCH"]
    assert upsert.path == f"{API}/Account/Arrears_Customer_Id__c/{CUSTOMER}"
    assert upsert.body == {
        "Arrears_Balance__c": 1243.5,
        "Arrears_Recovered__c": 50.0,
        "Arrears_Currency__c": "USD",
        "Arrears_Stage__c": "day_14_call",
        "Arrears_Promise_Date__c": "2026-03-20",
    }
    (stored,) = org.state.all("Account")
    assert (stored["Id"], stored["Name"], stored["Arrears_Stage__c"]) == (
        account,
        "Northwind",
        "day_21_handoff",
    )


def test_figures_for_a_missing_account_are_refused_and_create_nothing(
    org: fake_salesforce.SalesforceFake,
) -> None:
    with pytest.raises(DeliveryRefused, match="no Salesforce Account has Arrears_Customer_Id__c"):
        destination(org).deliver(event("payment.applied"), case())
    assert org.state.all("Account") == []


@pytest.mark.parametrize(
    ("answer", "retry_after"),
    [(fake_salesforce.limit_exceeded(), 600.0), (fake_salesforce.server_unavailable(), None)],
)
def test_limits_and_outages_are_retried_later(
    org: fake_salesforce.SalesforceFake, answer: Answer, retry_after: float | None
) -> None:
    org.state.recorder.fail_next(answer)
    with pytest.raises(DeliveryUnavailable) as unavailable:
        destination(org).deliver(event("task.opened"), case())
    assert unavailable.value.retry_after == retry_after
    assert org.state.all("Task") == []


def test_an_invalid_session_is_refused_with_the_fix(org: fake_salesforce.SalesforceFake) -> None:
    with pytest.raises(
        DeliveryRefused, match=r"INVALID_SESSION_ID.*ARREARS_SALESFORCE_SESSION_ID"
    ) as refused:
        destination(org, session_id="00D!expired").deliver(event("task.opened"), case())
    assert "00D!expired" not in str(refused.value)


def test_a_field_salesforce_does_not_know_is_refused_naming_it(org: fake_salesforce.SalesforceFake) -> None:
    org.state.fields["Account"].discard("Arrears_Stage__c")
    org.state.add_account(CUSTOMER)
    with pytest.raises(DeliveryRefused, match=r"400 INVALID_FIELD.*Arrears_Stage__c"):
        destination(org).deliver(event("case.stage_changed"), case())


def test_a_duplicate_value_is_refused(org: fake_salesforce.SalesforceFake) -> None:
    org.state.recorder.fail_next(
        fake_salesforce.sf_error(400, "DUPLICATE_VALUE", "duplicate value found: Arrears_Event_Id__c")
    )
    with pytest.raises(DeliveryRefused, match="DUPLICATE_VALUE"):
        destination(org).deliver(event("task.opened"), case())


def test_a_missing_external_id_field_is_refused_not_ignored(org: fake_salesforce.SalesforceFake) -> None:
    org.state.external_ids["Account"].clear()
    with pytest.raises(DeliveryRefused, match=r"NOT_FOUND.*external ID field"):
        destination(org).deliver(event("task.opened"), case())


def test_client_credentials_log_in_on_first_use(org: fake_salesforce.SalesforceFake) -> None:
    key, secret = org.state.consumer
    dest = destination(org, session_id=None, instance_url=None, consumer_key=key, consumer_secret=secret,
                       domain="northwind.my")  # fmt: skip
    assert org.state.recorder.requests == []  # building it called nothing
    dest.deliver(event("task.opened"), case())
    dest.deliver(event("task.opened", "evt-9"), case())
    paths = [r.path for r in org.state.recorder.requests]
    assert paths.count("/services/oauth2/token") == 1 and len(org.state.all("Task")) == 2


def test_bad_client_credentials_are_refused_with_the_fix(org: fake_salesforce.SalesforceFake) -> None:
    dest = destination(org, session_id=None, consumer_key="k", consumer_secret="wrong", domain="northwind.my")
    with pytest.raises(DeliveryRefused, match="login failed"):
        dest.deliver(event("task.opened"), case())


def test_no_answer_is_unavailable() -> None:
    config = SalesforceConfig(instance_url="https://x", session_id="s", api_base="http://127.0.0.1:9")
    with pytest.raises(DeliveryUnavailable, match="unreachable"):
        SalesforceDestination(config).deliver(event("task.opened"), case())
