"""The HubSpot edge: typed settings, the official client pointed at its host, and HubSpot's errors read
into the two answers a write-back destination gives (refused for good, or unavailable for now).

The host is the SDK's own seam (`Configuration.host`, passed through `HubSpot(host=...)`): a deployment may
route through a proxy, the tests and `arrears demo --providers local-fakes` point it at the local fake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from urllib3.exceptions import HTTPError

from arrears.writeback.base import DeliveryRefused, DeliveryUnavailable
from hubspot import HubSpot  # type: ignore[import-untyped]
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException  # type: ignore[import-untyped]
from hubspot.crm.properties.exceptions import (  # type: ignore[import-untyped]
    ApiException as PropertiesApiException,
)

HUBSPOT_API = "https://api.hubapi.com"
#: Errors the SDK raises for an HTTP answer (each generated package has its own class) or for no answer.
SDK_ERRORS: tuple[type[Exception], ...] = (ObjectsApiException, PropertiesApiException, HTTPError)

#: How long each rate-limit policy HubSpot names asks us to wait, when it sends no Retry-After.
_POLICY_WAIT = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0, "DAILY": 3600.0}

TOKEN_FIX = (
    "create a private app in HubSpot (Settings > Integrations > Private apps) with the scopes "
    "crm.objects.companies.read/write, crm.objects.deals.read/write and crm.schemas.*.read, and set its "
    "access token as ARREARS_HUBSPOT_ACCESS_TOKEN"
)


@dataclass(frozen=True, slots=True)
class HubSpotConfig:
    """Filled by the composition root from ARREARS_HUBSPOT_*."""

    access_token: str
    object_type: Literal["company", "deal"] = "company"
    api_base: str | None = None
    timeout_seconds: float = 10.0

    @property
    def plural(self) -> str:
        """The object type as the CRM API names it in paths."""
        return "companies" if self.object_type == "company" else "deals"


def make_client(config: HubSpotConfig) -> Any:
    """The official client; HTTP answers are never retried inside it, so a 429 or 5xx reaches the
    write-back runner's backoff (which keeps the event's place and its ledger)."""
    return HubSpot(access_token=config.access_token, host=(config.api_base or HUBSPOT_API).rstrip("/"))


def _body(exc: Exception) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    try:
        parsed = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _retry_after(exc: Exception, body: dict[str, Any]) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value:
        try:
            return float(value)
        except ValueError:
            pass
    return _POLICY_WAIT.get(str(body.get("policyName", "")).upper())


def delivery_error(exc: Exception, doing: str) -> DeliveryRefused | DeliveryUnavailable:
    """HubSpot's answer as refused (400, 401, 403, 404: a person must act) or unavailable (429, 5xx, no
    answer). The reason names the status and HubSpot's category, never the request's personal data."""
    status = getattr(exc, "status", None)
    if not isinstance(status, int) or not status:
        return DeliveryUnavailable(f"HubSpot unreachable while {doing}: {type(exc).__name__}")
    body = _body(exc)
    category = body.get("category") or body.get("errorType") or "error"
    if status == 429:
        policy = body.get("policyName", "unknown policy")
        wait = _retry_after(exc, body)
        return DeliveryUnavailable(f"HubSpot rate limit ({policy}) while {doing}", retry_after=wait)
    if status >= 500 or status in (408, 409, 423):
        return DeliveryUnavailable(f"HubSpot answered {status} ({category}) while {doing}")
    if status == 401:
        return DeliveryRefused(f"HubSpot refused the access token (401) while {doing}: {TOKEN_FIX}")
    if status == 403:
        return DeliveryRefused(
            f"HubSpot denied access (403 {category}) while {doing}: a scope is missing; {TOKEN_FIX}"
        )
    message = str(body.get("message") or getattr(exc, "reason", "") or "")[:300]
    return DeliveryRefused(f"HubSpot refused ({status} {category}) while {doing}: {message}")
