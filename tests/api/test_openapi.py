"""/openapi.json says what the API does: the required Idempotency-Key, every error as a problem document,
and the formats of times and currencies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def document(system: Any) -> dict[str, Any]:
    app: FastAPI = system.web()
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    loaded: dict[str, Any] = response.json()
    return loaded


def test_posting_an_event_declares_its_required_key_and_its_errors(document: dict[str, Any]) -> None:
    post = document["paths"]["/v1/events"]["post"]
    (key,) = [p for p in post.get("parameters", []) if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["required"] is True
    assert key["schema"]["maxLength"] == 128
    for status in ("400", "401", "403", "413", "422"):
        assert post["responses"][status]["content"] == {"application/problem+json": {"schema": PROBLEM}}
    assert {"202", "200"} <= set(post["responses"])
    get = document["paths"]["/v1/events/{event_id}"]["get"]
    assert {"401", "403", "404"} <= set(get["responses"])


def test_every_error_response_is_a_problem_document(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/") or path.startswith("/v1/twilio"):
            continue
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
            assert {"401", "403", "422"} <= set(errors), (method, path)
            for status, response in errors.items():
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM}}, (
                    method,
                    path,
                    status,
                )
    assert {"type", "title", "status", "detail", "errors"} <= set(
        document["components"]["schemas"]["Problem"]["properties"]
    )


def test_times_and_currencies_declare_their_formats(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["EventStatus"]["properties"]["received_at"]["format"] == "date-time"
    currency = schemas["InvoiceCreated"]["properties"]["currency"]
    pattern = re.compile(currency["pattern"])
    assert pattern.search("EUR") and not pattern.search("EURO") and not pattern.search("E1R")
    assert schemas["InvoiceCreated"]["properties"]["due_on"]["format"] == "date"


def test_currencies_are_listed_and_amounts_shaped(document: dict[str, Any]) -> None:
    """A fuzzer or a client generating from the document sends codes and amounts the API can accept."""
    props = document["components"]["schemas"]["InvoiceCreated"]["properties"]
    assert {"EUR", "JPY", "KWD", "CLF"} <= set(props["currency"]["enum"]) and "XXX" not in props["currency"][
        "enum"
    ]
    amount = re.compile(props["amount"]["pattern"])
    assert amount.search("1234.50") and not amount.search("-1") and not amount.search("1e30")


def test_links_lead_from_a_response_to_the_records_it_names(document: dict[str, Any]) -> None:
    """Stateful clients (and schemathesis) follow an event to its status and a case to its customer."""
    paths = document["paths"]
    event_link = paths["/v1/events"]["post"]["responses"]["202"]["links"]["GetEvent"]
    assert event_link == {
        "operationId": paths["/v1/events/{event_id}"]["get"]["operationId"],
        "parameters": {"event_id": "$response.body#/id"},
    }
    case_links = paths["/v1/cases"]["get"]["responses"]["200"]["links"]
    assert case_links["GetCase"]["parameters"] == {"case_id": "$response.body#/items/0/id"}
    operation_ids = {op["operationId"] for ops in paths.values() for op in ops.values()}
    for ops in paths.values():
        for op in ops.values():
            for response in op["responses"].values():
                for link in response.get("links", {}).values():
                    assert link["operationId"] in operation_ids
