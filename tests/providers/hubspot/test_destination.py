"""HubSpot write-back through the official client against the local fake: the requests HubSpot receives,
one note per outcome and one task per task however often an event is delivered, figures on the company or
deal, and HubSpot's errors read as refused (a person must act) or unavailable (retried)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arrears.fakes import hubspot as fake_hubspot
from arrears.fakes.crm_server import Answer
from arrears.providers.hubspot import HubSpotConfig, HubSpotDestination
from arrears.writeback.base import DeliveryRefused, DeliveryUnavailable
from tests.providers.crm_support import CUSTOMER, case, event


@pytest.fixture
def hub() -> Iterator[fake_hubspot.HubSpotFake]:
    running = fake_hubspot.start()
    yield running
    running.stop()


def destination(hub: fake_hubspot.HubSpotFake, **changes: str) -> HubSpotDestination:
    config = {"access_token": hub.env["ARREARS_HUBSPOT_ACCESS_TOKEN"], "api_base": hub.url, **changes}
    return HubSpotDestination(HubSpotConfig(**config))  # type: ignore[arg-type]


def test_an_outcome_is_one_note_on_the_customers_company(hub: fake_hubspot.HubSpotFake) -> None:
    company = hub.state.add_record("companies", arrears_customer_id=CUSTOMER, name="Northwind")
    destination(hub).deliver(event("outcome.recorded"), case())

    calls = [(r.method, r.path) for r in hub.state.recorder.requests]
    assert calls == [
        ("POST", "/crm/v3/objects/companies/search"),
        ("POST", "/crm/v3/objects/notes/search"),
        ("POST", "/crm/v3/objects/notes"),
    ]
    search = hub.state.recorder.requests[0]
    assert search.header("authorization") == "Bearer pat-na1-fake-token"
    assert search.body["filterGroups"] == [
        {"filters": [{"propertyName": "arrears_customer_id", "operator": "EQ", "value": CUSTOMER}]}
    ]
    create = hub.state.recorder.requests[2].body
    assert create["associations"] == [
        {
            "to": {"id": company},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}],
        }
    ]
    props = create["properties"]
    assert props["arrears_event_id"] == "evt-1"
    assert props["hs_timestamp"] == "1773154800000"  # 2026-03-10T15:00Z in milliseconds
    body = props["hs_note_body"]
    for fact in ("Arrears outcome: booked", "promise_to_pay", "Promise: 1243.50 USD by 2026-03-20",
                 "Next step: remind the day before", "Balance: 1243.50 USD; 17 days overdue"):  # fmt: skip
        assert fact in body


def test_delivering_the_same_event_three_times_leaves_one_note_and_one_task(
    hub: fake_hubspot.HubSpotFake,
) -> None:
    hub.state.add_record("companies", arrears_customer_id=CUSTOMER)
    dest = destination(hub)
    for _ in range(3):
        dest.deliver(event("outcome.recorded", "evt-1"), case())
        dest.deliver(event("task.opened", "evt-2"), case())

    assert [n["properties"]["arrears_event_id"] for n in hub.state.created("notes")] == ["evt-1"]
    (task,) = hub.state.created("tasks")
    creates = [
        r for r in hub.state.recorder.requests if r.path in ("/crm/v3/objects/notes", "/crm/v3/objects/tasks")
    ]
    assert len(creates) == 2
    props = task["properties"]
    assert props["hs_task_subject"] == "Arrears: dispute"
    assert (props["hs_task_status"], props["hs_task_priority"]) == ("NOT_STARTED", "HIGH")
    assert "Disputes INV-7" in props["hs_task_body"]
    assert task["associations"][0]["types"][0]["associationTypeId"] == 192


def test_figures_are_written_on_the_deal_and_a_replay_writes_the_same_values(
    hub: fake_hubspot.HubSpotFake,
) -> None:
    deal = hub.state.add_record("deals", arrears_customer_id=CUSTOMER, dealname="Collections")
    dest = destination(hub, object_type="deal")
    for kind in ("payment.applied", "promise.made", "payment.applied"):
        dest.deliver(event(kind, f"evt-{kind}"), case())

    patches = [r for r in hub.state.recorder.requests if r.method == "PATCH"]
    assert {r.path for r in patches} == {f"/crm/v3/objects/deals/{deal}"}
    assert (
        patches[0].body
        == patches[-1].body
        == {
            "properties": {
                "arrears_balance": "1243.50",
                "arrears_recovered": "50.00",
                "arrears_currency": "USD",
                "arrears_stage": "day_14_call",
                "arrears_promise_date": "2026-03-20",
                "arrears_days_overdue": "17",
            }
        }
    )
    dest.deliver(event("outcome.recorded"), case())
    assert hub.state.created("notes")[0]["associations"][0]["types"][0]["associationTypeId"] == 214


def test_a_settled_case_clears_its_promise_date(hub: fake_hubspot.HubSpotFake) -> None:
    company = hub.state.add_record("companies", arrears_customer_id=CUSTOMER)
    destination(hub).deliver(
        event("case.closed"), case(status="closed", balance_minor=0, promise_due_on=None, stage=None)
    )
    props = hub.state.objects["companies"][company]["properties"]
    assert (props["arrears_balance"], props["arrears_stage"], props["arrears_promise_date"]) == (
        "0.00",
        "closed",
        "",
    )


def test_only_the_kinds_a_crm_wants(hub: fake_hubspot.HubSpotFake) -> None:
    dest = destination(hub)
    assert dest.accepts("outcome.recorded") and dest.accepts("case.stage_changed")
    assert not dest.accepts("message.sent") and not dest.accepts("hold.placed")
    dest.deliver(event("payment.applied"), None)  # a payment on no case: nothing to attach it to
    assert hub.state.recorder.requests == []


def test_a_customer_missing_from_hubspot_is_refused_with_what_to_do(hub: fake_hubspot.HubSpotFake) -> None:
    with pytest.raises(DeliveryRefused, match="no HubSpot company has arrears_customer_id"):
        destination(hub).deliver(event("outcome.recorded"), case())
    assert hub.state.created("notes") == []


def test_rate_limits_and_server_errors_are_retried_later(hub: fake_hubspot.HubSpotFake) -> None:
    hub.state.add_record("companies", arrears_customer_id=CUSTOMER)
    dest = destination(hub)
    hub.state.recorder.fail_next(fake_hubspot.rate_limited())
    with pytest.raises(DeliveryUnavailable, match="TEN_SECONDLY_ROLLING") as limited:
        dest.deliver(event("outcome.recorded"), case())
    assert limited.value.retry_after == 10.0
    hub.state.recorder.fail_next(fake_hubspot.rate_limited("DAILY"))
    with pytest.raises(DeliveryUnavailable) as daily:
        dest.deliver(event("outcome.recorded"), case())
    assert daily.value.retry_after == 3600.0
    hub.state.recorder.fail_next(fake_hubspot.server_error())
    with pytest.raises(DeliveryUnavailable, match="500"):
        dest.deliver(event("outcome.recorded"), case())
    dest.deliver(event("outcome.recorded"), case())  # HubSpot is back: written once
    assert len(hub.state.created("notes")) == 1


def test_a_retry_after_header_wins_over_the_policy(hub: fake_hubspot.HubSpotFake) -> None:
    limited = fake_hubspot.rate_limited()
    hub.state.recorder.fail_next(Answer(429, limited.body, {"Retry-After": "7"}))
    with pytest.raises(DeliveryUnavailable) as unavailable:
        destination(hub).deliver(event("outcome.recorded"), case())
    assert unavailable.value.retry_after == 7.0


def test_a_wrong_token_is_refused_with_the_fix(hub: fake_hubspot.HubSpotFake) -> None:
    hub.state.add_record("companies", arrears_customer_id=CUSTOMER)
    with pytest.raises(DeliveryRefused, match=r"401.*private app.*crm.objects") as refused:
        destination(hub, access_token="pat-na1-revoked").deliver(event("outcome.recorded"), case())
    assert "pat-na1" not in str(refused.value)


def test_a_missing_custom_property_is_refused_naming_it(hub: fake_hubspot.HubSpotFake) -> None:
    hub.state.add_record("companies", arrears_customer_id=CUSTOMER)
    hub.state.properties["companies"].discard("arrears_stage")
    with pytest.raises(DeliveryRefused, match=r"400 VALIDATION_ERROR.*arrears_stage"):
        destination(hub).deliver(event("case.stage_changed"), case())


def test_no_answer_is_unavailable(hub: fake_hubspot.HubSpotFake) -> None:
    url = hub.url
    hub.stop()
    dest = HubSpotDestination(HubSpotConfig(access_token="t", api_base=url, timeout_seconds=2))
    with pytest.raises(DeliveryUnavailable, match="unreachable"):
        dest.deliver(event("outcome.recorded"), case())
