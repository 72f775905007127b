"""A stand-in for a Salesforce org: the REST endpoints write-back uses, answered in Salesforce's shapes.

Served: POST /services/oauth2/token (client credentials); GET .../sobjects/{Task|Account}/describe;
GET .../sobjects/{type}/{externalIdField}/{value}; PATCH .../sobjects/{type}/{externalIdField}/{value}
(upsert: 201 {id, success, errors, created: true} when created, 200 with created: false when updated, as
API 46.0 and later answer). Errors are Salesforce's arrays [{"message", "errorCode"}]: INVALID_SESSION_ID
(401) for a wrong bearer token, NOT_FOUND, INVALID_FIELD, REQUIRED_FIELD_MISSING (an Account needs a Name).
"""

from __future__ import annotations

import base64
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from arrears.fakes import RunningFake
from arrears.fakes.crm_server import Answer, Recorder, Request, serve

EXTERNAL_IDS = {"Task": {"Arrears_Event_Id__c"}, "Account": {"Arrears_Customer_Id__c"}}
FIELDS = {
    "Task": {"Id", "Subject", "Description", "Status", "Priority", "ActivityDate", "WhatId", "WhoId",
             "OwnerId", "Arrears_Event_Id__c"},
    "Account": {"Id", "Name", "Arrears_Customer_Id__c", "Arrears_Balance__c", "Arrears_Recovered__c",
                "Arrears_Currency__c", "Arrears_Stage__c", "Arrears_Promise_Date__c"},
}  # fmt: skip
_PREFIX = {"Task": "00T", "Account": "001"}


def sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Answer:
    entry: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        entry["fields"] = fields
    return Answer(status, [entry])


def limit_exceeded() -> Answer:
    return sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def server_unavailable() -> Answer:
    return sf_error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")


def invalid_session() -> Answer:
    return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")


@dataclass
class SalesforceState:
    session_id: str
    consumer: tuple[str, str] = ("fake-consumer-key", "fake-consumer-secret")
    url: str = ""
    recorder: Recorder = field(default_factory=Recorder)
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {t: {} for t in FIELDS})
    fields: dict[str, set[str]] = field(default_factory=lambda: {t: set(f) for t, f in FIELDS.items()})
    external_ids: dict[str, set[str]] = field(
        default_factory=lambda: {t: set(f) for t, f in EXTERNAL_IDS.items()}
    )
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_account(self, customer_id: str, name: str = "Acme Ltd") -> str:
        with self.lock:
            return self._insert("Account", {"Name": name, "Arrears_Customer_Id__c": customer_id})

    def all(self, sobject: str) -> list[dict[str, Any]]:
        return list(self.records[sobject].values())

    def _insert(self, sobject: str, values: dict[str, Any]) -> str:
        rid = f"{_PREFIX[sobject]}5g00000{next(self.ids):08d}"
        self.records[sobject][rid] = {"Id": rid, **values}
        return rid

    def find(self, sobject: str, name: str, value: str) -> dict[str, Any] | None:
        return next((r for r in self.records[sobject].values() if r.get(name) == value), None)


def _token(state: SalesforceState, request: Request) -> Answer:
    form = parse_qs(request.body) if isinstance(request.body, str) else {}
    auth = request.header("authorization").removeprefix("Basic ")
    pair = base64.b64decode(auth).decode(errors="replace") if auth else ""
    if form.get("grant_type") != ["client_credentials"] or pair != ":".join(state.consumer):
        return Answer(400, {"error": "invalid_client", "error_description": "invalid client credentials"})
    return Answer(200, {"access_token": state.session_id, "instance_url": state.url, "token_type": "Bearer",
                        "id": f"{state.url}/id/00D000000000001/005000000000001", "scope": "api",
                        "issued_at": "1767571200000", "signature": "fake"})  # fmt: skip


def _describe(state: SalesforceState, sobject: str) -> Answer:
    external = state.external_ids[sobject]
    described = [
        {"name": n, "externalId": n in external, "unique": n in external, "custom": n.endswith("__c")}
        for n in sorted(state.fields[sobject])
    ]
    return Answer(200, {"name": sobject, "custom": False, "fields": described})


def _by_external_id(state: SalesforceState, request: Request, sobject: str, name: str, value: str) -> Answer:
    if name not in state.external_ids[sobject]:
        message = f"Provided external ID field does not exist or is not accessible: {name}"
        return sf_error(404, "NOT_FOUND", message)
    found = state.find(sobject, name, value)
    if request.method == "GET":
        if found is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        attributes = {"type": sobject, "url": f"/services/data/v59.0/sobjects/{sobject}/{found['Id']}"}
        return Answer(200, {"attributes": attributes, **found})
    return _upsert(state, sobject, name, value, dict(request.body or {}), found)


def _upsert(
    state: SalesforceState,
    sobject: str,
    name: str,
    value: str,
    body: dict[str, Any],
    found: dict[str, Any] | None,
) -> Answer:
    unknown = sorted(set(body) - state.fields[sobject])
    if unknown:
        return sf_error(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {sobject}")
    what = body.get("WhatId")
    if what and what not in state.records["Account"]:
        return sf_error(400, "FIELD_INTEGRITY_EXCEPTION", "What ID: id value of incorrect type", ["WhatId"])
    if found is not None:
        found.update(body)
        return Answer(200, {"id": found["Id"], "success": True, "errors": [], "created": False})
    if sobject == "Account" and not body.get("Name"):
        return sf_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", ["Name"])
    rid = state._insert(sobject, {**body, name: value})
    return Answer(201, {"id": rid, "success": True, "errors": [], "created": True})


def route(state: SalesforceState, request: Request) -> Answer:
    if request.path == "/services/oauth2/token" and request.method == "POST":
        return _token(state, request)
    if request.header("authorization") != f"Bearer {state.session_id}":
        return invalid_session()
    parts = request.path.strip("/").split("/")
    if (
        len(parts) < 6
        or parts[:2] != ["services", "data"]
        or parts[3] != "sobjects"
        or parts[4] not in FIELDS
    ):
        return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
    sobject, rest = parts[4], parts[5:]
    with state.lock:
        if rest == ["describe"] and request.method == "GET":
            return _describe(state, sobject)
        if len(rest) == 2 and request.method in ("GET", "PATCH"):
            return _by_external_id(state, request, sobject, rest[0], rest[1])
    return sf_error(404, "NOT_FOUND", "The requested resource does not exist")


@dataclass
class SalesforceFake(RunningFake):
    state: SalesforceState = field(default_factory=lambda: SalesforceState("fake-session"))


def start(
    session_id: str = "00D000000000001!fake.session", port: int = 0, customers: Iterable[str] = ()
) -> SalesforceFake:
    """Serve a fake org; its env points ARREARS_SALESFORCE_* at it with a session id and instance URL.
    `customers`: source-system customer ids given an Account each (Arrears_Customer_Id__c)."""
    state = SalesforceState(session_id)
    for customer in customers:
        state.add_account(customer, f"Customer {customer}")
    url, stop = serve(lambda request: route(state, request), state.recorder, port)
    state.url = url
    env = {
        "ARREARS_SALESFORCE_INSTANCE_URL": url,
        "ARREARS_SALESFORCE_SESSION_ID": session_id,
        "ARREARS_SALESFORCE_API_BASE": url,
    }
    return SalesforceFake("salesforce", url, env, stop, state)
