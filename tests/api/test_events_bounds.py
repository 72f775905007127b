"""POST /v1/events refuses what the store cannot hold (amounts past the money bound, NUL bytes, lone
surrogates, over-long text) with a 422 naming the field, never a 500, and the connection stays usable."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
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
        (invoice_created(1, account="a1", customer="c1", city="Paris\ud800"), "city"),
        (invoice_created(1, account="a1\x00", customer="c1"), "account_external_id"),
        (invoice_created(1, account="a1", customer="c1", customer_name="A" * 257), "customer_name"),
        (
            payment(1, account="a1", amount="1.00") | {"received_at": "0001-01-01T00:00:00+01:00"},
            "received_at",
        ),
        (invoice_created(1, account="a1", customer="c1", time_zone="Europe/" + "a" * 300), "time_zone"),
    ],
)
def test_values_the_store_cannot_hold_are_a_422_naming_the_field(
    client: TestClient, keys: dict[str, str], body: dict[str, Any], field: str
) -> None:
    for attempt in range(2):  # the same client, twice: the connection is still good after a refusal
        headers = auth(keys["writer"], f"k-{attempt}") | {"content-type": "application/json"}
        # json.dumps escapes a lone surrogate as "\ud800", as any JSON sender may
        response = client.post("/v1/events", content=json.dumps(body), headers=headers)
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


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The app behind a real uvicorn on a free loopback port, as `arrears serve` runs it."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_a_refused_body_keeps_the_clients_keep_alive_connection(served: str, keys: dict[str, str]) -> None:
    bad = [
        invoice_created(1, account="a1", customer="c1", amount="92233720368547758.08"),
        invoice_created(2, account="a1", customer="c1", customer_name="Ada\x00"),
    ]
    good = invoice_created(3, account="a1", customer="c1")
    with httpx.Client(base_url=served, limits=httpx.Limits(max_connections=1)) as http:
        ports = set()
        for n, body in enumerate([*bad, good]):
            response = http.post("/v1/events", json=body, headers=auth(keys["writer"], f"k{n}"))
            assert response.status_code == (202 if body is good else 422), response.text
            assert response.headers.get("connection", "keep-alive") != "close"
            ports.add(response.extensions["network_stream"].get_extra_info("client_addr")[1])
    assert len(ports) == 1  # one connection carried all three
