"""POST /v1/events refuses what the store cannot hold (amounts past the money bound, NUL bytes, lone
surrogates, over-long text) with a 422 naming the field, never a 500, and the connection stays usable."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.events.support import invoice_created, payment

_HUGE = [("1" + "0" * 30, "amount"), ("92233720368547758.08", "amount"), ("10000000000000.01", "amount")]


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        *[(invoice_created(1, account="a1", customer="c1", amount=amount), field) for amount, field in _HUGE],
        (invoice_created(1, account="a1", customer="c1", balance="1" + "0" * 30), "balance"),
        (payment(1, account="a1", amount="92233720368547758.08"), "amount"),
        (invoice_created(1, account="a1", customer="c1", customer_name="Ada\x00Lovelace"), "customer_name"),
        (invoice_created(1, account="a1", customer="c1", city="Paris\x00"), "city"),
        (invoice_created(1, account="a1\x00", customer="c1"), "account_external_id"),
        (invoice_created(1, account="a1", customer="c1", customer_name="A" * 257), "customer_name"),
    ],
)
def test_values_the_store_cannot_hold_are_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str], body: dict[str, Any], field: str
) -> None:
    for attempt in range(2):  # the same client, twice: the connection is still good after a refusal
        response = client.post("/v1/events", json=body, headers=auth(keys["writer"], f"k-{attempt}"))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in _fields(response)
    fine = client.post(
        "/v1/events", json=invoice_created(2, account="a2", customer="c2"), headers=auth(keys["writer"], "ok")
    )
    assert fine.status_code == 202, fine.text


def test_the_maximum_amount_itself_is_accepted_and_the_error_names_the_limit(
    client: TestClient, keys: dict[str, str]
) -> None:
    top = "10000000000000.00"  # the documented maximum, 10**15 minor units of a two-decimal currency
    accepted = client.post(
        "/v1/events",
        json=invoice_created(1, account="a1", customer="c1", amount=top),
        headers=auth(keys["writer"], "a"),
    )
    assert accepted.status_code == 202, accepted.text
    refused = client.post(
        "/v1/events",
        json=invoice_created(2, account="a1", customer="c1", amount="1" + "0" * 30),
        headers=auth(keys["writer"], "b"),
    )
    detail = next(e["detail"] for e in refused.json()["errors"] if e["field"] == "amount")
    assert "maximum" in detail and top in detail
