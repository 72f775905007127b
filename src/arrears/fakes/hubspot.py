"""A stand-in for api.hubapi.com: the CRM v3 endpoints write-back uses, answered in HubSpot's shapes.

Served: GET /crm/v3/properties/{type}; POST /crm/v3/objects/{type}/search (filterGroups with EQ filters);
POST /crm/v3/objects/{type} (with associations); PATCH /crm/v3/objects/{type}/{id}. Errors carry HubSpot's
body {"status":"error","message","correlationId","category"}; `rate_limited()` is its 429 with
errorType RATE_LIMIT and policyName. A missing or wrong bearer token is a 401, as HubSpot answers it.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from arrears.fakes import RunningFake
from arrears.fakes.crm_server import Answer, Recorder, Request, serve

CUSTOM = {
    "companies": ("arrears_customer_id", "arrears_balance", "arrears_recovered", "arrears_currency",
                  "arrears_stage", "arrears_promise_date", "arrears_days_overdue", "name", "domain"),
    "deals": ("arrears_customer_id", "arrears_balance", "arrears_recovered", "arrears_currency",
              "arrears_stage", "arrears_promise_date", "arrears_days_overdue", "dealname", "amount"),
    "notes": ("arrears_event_id", "hs_note_body", "hs_timestamp"),
    "tasks": ("arrears_event_id", "hs_task_subject", "hs_task_body", "hs_task_status", "hs_task_priority",
              "hs_task_type", "hs_timestamp", "hubspot_owner_id"),
}  # fmt: skip
ASSOCIATIONS = {("notes", "companies"): 190, ("notes", "deals"): 214, ("tasks", "companies"): 192,
                ("tasks", "deals"): 216}  # fmt: skip


def error(status: int, category: str, message: str, **extra: Any) -> Answer:
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}
    return Answer(status, {**body, **extra})


def rate_limited(policy: str = "TEN_SECONDLY_ROLLING") -> Answer:
    """HubSpot's 429 as its API sends it (no Retry-After: the policy name says how long)."""
    message = f"You have reached your {policy.lower()} limit."
    return error(429, "RATE_LIMITS", message, errorType="RATE_LIMIT", policyName=policy, groupName="api")


def server_error() -> Answer:
    return error(500, "INTERNAL_ERROR", "internal error")


def unauthorized() -> Answer:
    return error(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
        "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class HubSpotState:
    token: str
    recorder: Recorder = field(default_factory=Recorder)
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {t: {} for t in CUSTOM})
    properties: dict[str, set[str]] = field(default_factory=lambda: {t: set(p) for t, p in CUSTOM.items()})
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_record(self, object_type: str, **properties: str) -> str:
        """A company or deal as a CRM user would have it (e.g. arrears_customer_id="C-1")."""
        with self.lock:
            return str(self._store(object_type, dict(properties), [])["id"])

    def created(self, object_type: str) -> list[dict[str, Any]]:
        return list(self.objects[object_type].values())

    def _store(self, object_type: str, props: dict[str, str], assoc: list[dict[str, Any]]) -> dict[str, Any]:
        oid, now = str(next(self.ids)), _now()
        obj = {"id": oid, "properties": {**props, "hs_object_id": oid, "hs_createdate": now},
               "createdAt": now, "updatedAt": now, "archived": False, "associations": assoc}  # fmt: skip
        self.objects[object_type][oid] = obj
        return obj


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "associations"}


def _unknown_properties(state: HubSpotState, object_type: str, props: dict[str, Any]) -> Answer | None:
    unknown = sorted(set(props) - state.properties[object_type])
    if not unknown:
        return None
    errors = [{"message": f'Property "{n}" does not exist', "code": "PROPERTY_DOESNT_EXIST",
               "context": {"propertyName": [n]}} for n in unknown]  # fmt: skip
    return error(400, "VALIDATION_ERROR", f"Property values were not valid: {errors}", errors=errors)


def _search(state: HubSpotState, object_type: str, body: dict[str, Any]) -> Answer:
    def matches(obj: dict[str, Any]) -> bool:
        return any(
            all(obj["properties"].get(f["propertyName"]) == f.get("value") for f in group["filters"])
            for group in body.get("filterGroups") or [{"filters": []}]
        )

    found = [_public(o) for o in state.objects[object_type].values() if matches(o)]
    limit = int(body.get("limit") or 10)
    return Answer(200, {"total": len(found), "results": found[:limit]})


def _create(state: HubSpotState, object_type: str, body: dict[str, Any]) -> Answer:
    props = dict(body.get("properties") or {})
    bad = _unknown_properties(state, object_type, props)
    if bad is not None:
        return bad
    for assoc in body.get("associations") or []:
        target = next((t for (a, t) in ASSOCIATIONS if a == object_type and assoc["to"]["id"] in
                       state.objects[t]), None)  # fmt: skip
        type_ids = {t["associationTypeId"] for t in assoc["types"]}
        if target is None or type_ids != {ASSOCIATIONS[(object_type, target)]}:
            return error(400, "VALIDATION_ERROR", f"invalid association to {assoc['to']['id']}")
    return Answer(201, _public(state._store(object_type, props, list(body.get("associations") or []))))


def _update(state: HubSpotState, object_type: str, oid: str, body: dict[str, Any]) -> Answer:
    obj = state.objects[object_type].get(oid)
    if obj is None:
        return error(404, "OBJECT_NOT_FOUND", "resource not found")
    props = dict(body.get("properties") or {})
    bad = _unknown_properties(state, object_type, props)
    if bad is not None:
        return bad
    obj["properties"].update(props)
    obj["updatedAt"] = _now()
    return Answer(200, _public(obj))


def _properties(state: HubSpotState, object_type: str) -> Answer:
    results = [{"name": n, "label": n, "type": "string", "fieldType": "text", "groupName": "arrears",
                "description": "", "options": []} for n in sorted(state.properties[object_type])]  # fmt: skip
    return Answer(200, {"results": results})


def route(state: HubSpotState, request: Request) -> Answer:
    if request.header("authorization") != f"Bearer {state.token}":
        return unauthorized()
    parts = request.path.strip("/").split("/")
    if len(parts) < 4 or parts[:2] != ["crm", "v3"] or parts[3] not in CUSTOM:
        return error(404, "OBJECT_NOT_FOUND", "resource not found")
    kind, object_type, rest = parts[2], parts[3], parts[4:]
    with state.lock:
        if kind == "properties" and request.method == "GET" and not rest:
            return _properties(state, object_type)
        if kind == "objects" and request.method == "POST" and rest == ["search"]:
            return _search(state, object_type, request.body or {})
        if kind == "objects" and request.method == "POST" and not rest:
            return _create(state, object_type, request.body or {})
        if kind == "objects" and request.method == "PATCH" and len(rest) == 1:
            return _update(state, object_type, rest[0], request.body or {})
    return error(404, "OBJECT_NOT_FOUND", "resource not found")


@dataclass
class HubSpotFake(RunningFake):
    state: HubSpotState = field(default_factory=lambda: HubSpotState("fake-token"))


def start(token: str = "pat-na1-fake-token", port: int = 0, customers: Iterable[str] = ()) -> HubSpotFake:
    """Serve a fake HubSpot account; its env points ARREARS_HUBSPOT_* at it. `customers`: source-system
    customer ids given a company each (arrears_customer_id), as a CRM synced from billing would have them."""
    state = HubSpotState(token)
    for customer in customers:
        state.add_record("companies", arrears_customer_id=customer, name=f"Customer {customer}")
    url, stop = serve(lambda request: route(state, request), state.recorder, port)
    env = {"ARREARS_HUBSPOT_ACCESS_TOKEN": token, "ARREARS_HUBSPOT_API_BASE": url}
    return HubSpotFake("hubspot", url, env, stop, state)
