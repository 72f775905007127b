"""An unhandled error is answered with the 500 problem and logged without its message or the raw path:
the message may quote personal data (a database error quotes row values), the path a link's token."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from arrears.api.app import Web, create_app
from arrears.system import System

PHONE = "+15558675309"
TOKEN = "tok0123456789secret"


def test_an_unhandled_error_is_a_problem_and_its_message_is_not_logged(
    system: System, caplog: pytest.LogCaptureFixture
) -> None:
    failing = APIRouter()

    @failing.get("/pay-like/{token}")
    def fail(token: str) -> None:
        raise RuntimeError(f"could not text {PHONE}")

    web = Web(system.sessions, system.clock, system.inbox)
    app = create_app(replace(web, routers=(failing,)))
    with caplog.at_level(logging.DEBUG), TestClient(app, raise_server_exceptions=True) as client:
        response = client.get(f"/pay-like/{TOKEN}")  # re-raised to the server before: this call raised
        assert client.get("/openapi.json").status_code == 200  # the app goes on serving
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:arrears:problem:internal-error"
    logged = "\n".join(  # the server's log; httpx here is the test's client, quoting the URL it asked for
        logging.Formatter("%(name)s %(message)s").format(r)
        for r in caplog.records
        if not r.name.startswith("httpx")
    )
    assert "RuntimeError" in logged and "/pay-like/{token}" in logged
    assert PHONE not in logged and TOKEN not in logged, logged
