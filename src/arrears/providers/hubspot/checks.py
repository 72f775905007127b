"""`arrears providers check` for HubSpot: read the property definitions (a read-only call that proves the
token and its scopes) and say which custom properties are still to be created."""

from __future__ import annotations

from typing import Any

from arrears.providers.checks import CheckResult
from arrears.providers.hubspot.client import SDK_ERRORS, HubSpotConfig, delivery_error, make_client

#: The custom properties write-back needs, per object type (docs/providers/crm.md says how to create them).
RECORD_PROPERTIES = (
    "arrears_customer_id",
    "arrears_balance",
    "arrears_recovered",
    "arrears_currency",
    "arrears_stage",
    "arrears_promise_date",
    "arrears_days_overdue",
)
ACTIVITY_PROPERTIES = ("arrears_event_id",)


def _missing(client: Any, object_type: str, wanted: tuple[str, ...], timeout: float) -> list[str]:
    page = client.crm.properties.core_api.get_all(object_type, _request_timeout=timeout)
    have = {p.name for p in page.results}
    return [f"{object_type}.{name}" for name in wanted if name not in have]


def check(config: HubSpotConfig, client: Any | None = None) -> CheckResult:
    """Never raises: a failure is a result with its fix."""
    client = client if client is not None else make_client(config)
    missing: list[str] = []
    try:
        missing += _missing(client, config.plural, RECORD_PROPERTIES, config.timeout_seconds)
        for activity in ("notes", "tasks"):
            missing += _missing(client, activity, ACTIVITY_PROPERTIES, config.timeout_seconds)
    except SDK_ERRORS as exc:
        detail, _, fix = str(delivery_error(exc, "reading property definitions")).partition(": ")
        return CheckResult("hubspot", False, detail, fix or "check ARREARS_HUBSPOT_API_BASE and the network")
    if missing:
        return CheckResult(
            "hubspot",
            False,
            f"custom properties missing: {', '.join(missing)}",
            "create them in HubSpot (Settings > Properties), as listed in docs/providers/crm.md",
        )
    return CheckResult(
        "hubspot", True, f"token accepted; {config.plural}, notes and tasks have our properties"
    )
