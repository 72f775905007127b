"""What /openapi.json declares beyond what FastAPI infers: every error a route can answer as a problem
document, the Idempotency-Key header where it is required, and the formats a client must send.

Routes list their errors with `problems(...)`; `install` makes the document say `application/problem+json`
(the media type the API really answers errors with) and adds the formats of fields whose validators live in
the event schemas (a currency is an ISO 4217 code).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from arrears.api.problems import MEDIA_TYPE, Problem
from arrears.core.money import currencies

MEANINGS = {
    400: "a required header is missing or malformed",
    401: "no API key, or an unknown or revoked one",
    403: "the API key lacks the scope this route needs",
    404: "no such record, or not one this API key may see",
    409: "the record's state does not allow this now (for example, a task someone else claimed)",
    413: "the request body is larger than the server's limit (ARREARS_MAX_BODY_BYTES)",
    422: "a field is invalid; `errors` names each one",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "unique per event, 1-128 visible ASCII characters; a retry reuses it (400 when missing)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[\\x21-\\x7e]{1,128}$"},
}
CURRENCY = {
    "pattern": "^[A-Za-z]{3}$",
    "enum": currencies(),
    "description": "ISO 4217 code, such as EUR or USD (sent in any case)",
}
#: What an amount string looks like (the bound and the currency's decimals are checked as well).
AMOUNT = {"pattern": "^\\s*\\d+(\\.\\d+)?\\s*$", "description": 'a decimal string such as "1234.50"'}
#: (path, method, status) -> links to the operations a response's ids lead to, so a client (and a
#: stateful fuzzer) can follow an event to its status, a case to its customer, a task to its moves.
_ITEM = "$response.body#/items/0/id"
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("/v1/events", "post", "202"): {
        "GetEvent": ("/v1/events/{event_id}", "get", {"event_id": "$response.body#/id"})
    },
    ("/v1/events", "post", "200"): {
        "GetEvent": ("/v1/events/{event_id}", "get", {"event_id": "$response.body#/id"})
    },
    ("/v1/cases", "get", "200"): {
        "GetCase": ("/v1/cases/{case_id}", "get", {"case_id": _ITEM}),
        "GetCustomer": (
            "/v1/customers/{customer_id}",
            "get",
            {"customer_id": "$response.body#/items/0/customer_id"},
        ),
    },
    ("/v1/cases/{case_id}", "get", "200"): {
        "GetCustomer": ("/v1/customers/{customer_id}", "get", {"customer_id": "$response.body#/customer_id"}),
    },
    ("/v1/tasks", "get", "200"): {
        f"{verb.title()}Task": (f"/v1/tasks/{{task_id}}/{verb}", "post", {"task_id": "$response.body#/0/id"})
        for verb in ("claim", "reassign", "resolve")
    },
    ("/v1/tasks/{task_id}/claim", "post", "200"): {
        "ResolveTask": ("/v1/tasks/{task_id}/resolve", "post", {"task_id": "$response.body#/id"}),
    },
    ("/v1/holds", "get", "200"): {
        "ReleaseHold": ("/v1/holds/{hold_id}/release", "post", {"hold_id": "$response.body#/0/id"}),
    },
    ("/v1/chat", "post", "201"): {
        "SendMessage": (
            "/v1/chat/{conversation_id}/messages",
            "post",
            {"conversation_id": "$response.body#/conversation_id"},
        ),
    },
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer with these problems."""
    return {
        code: {"model": Problem, "description": MEANINGS[code], "content": {MEDIA_TYPE: {}}} for code in codes
    }


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    _problem_media_type(operation.get("responses", {}))
            for schema in document.get("components", {}).get("schemas", {}).values():
                _currency_format(schema)
                _amount_format(schema)
            _links(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_media_type(responses: dict[str, Any]) -> None:
    """FastAPI files a response model under application/json; errors are sent as problem+json."""
    for status, response in responses.items():
        content = response.get("content", {})
        if status.startswith(("4", "5")) and MEDIA_TYPE in content and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")


def _currency_format(schema: dict[str, Any]) -> None:
    """Declare the pattern of every `currency` string an event accepts (validated as ISO 4217)."""
    currency = schema.get("properties", {}).get("currency")
    if not isinstance(currency, dict):
        return
    for variant in currency.get("anyOf", [currency]):
        if variant.get("type") == "string" and "pattern" not in variant:
            variant.update(CURRENCY)


def _amount_format(schema: dict[str, Any]) -> None:
    """Declare the shape of the amount strings an event or a plan accepts (integers are accepted too)."""
    for name in ("amount", "balance"):
        prop = schema.get("properties", {}).get(name)
        if not isinstance(prop, dict):
            continue
        for variant in prop.get("anyOf", [prop]):
            if variant.get("type") == "string" and "pattern" not in variant:
                variant.update(AMOUNT)


def _links(document: dict[str, Any]) -> None:
    """Add the OpenAPI links of `LINKS`, by the target's operationId."""
    paths = document.get("paths", {})
    for (path, method, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        for name, (target, target_method, parameters) in links.items():
            operation_id = paths.get(target, {}).get(target_method, {}).get("operationId")
            if operation_id is not None:
                response.setdefault("links", {})[name] = {
                    "operationId": operation_id,
                    "parameters": parameters,
                }
