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
CURRENCY = {"pattern": "^[A-Za-z]{3}$", "description": "ISO 4217 code, such as EUR or USD"}


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
