"""Shared by the Twilio webhook tests: an app with Twilio configured against the local fake, and signed
posts computed with the SDK's own RequestValidator."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from arrears.settings import Settings
from tests.events.support import dump

BASE = "https://arrears.example"
TOKEN = "twilio-test-token"
ACCOUNT = "AC" + "2" * 32
OURS = "+15005550006"


def twilio_settings(database_url: str, api_base_url: str, outbox: Path) -> Settings:
    return Settings(
        database_url=database_url,
        outbox_dir=outbox,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_from_number=OURS,
        twilio_whatsapp_from="+15005550007",
        public_base_url=BASE,
        twilio_api_base_url=api_base_url,
        agent_business_name="Brightwater Energy",
        agent_callback_number="555 0100",
    )


def signed(client: TestClient, path: str, form: dict[str, str], *, token: str = TOKEN) -> Response:
    signature = RequestValidator(token).compute_signature(BASE + path, form)
    response: Response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    return response


def xml(response: Response) -> ElementTree.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ElementTree.fromstring(response.text)


def said(root: ElementTree.Element) -> str:
    return " ".join(node.text or "" for node in root.iter("Say"))


def gather_path(root: ElementTree.Element) -> str | None:
    gather = root.find("Gather")
    if gather is None:
        return None
    assert gather.get("input") == "speech dtmf"
    action = gather.get("action") or ""
    assert action.startswith(BASE)
    return action.removeprefix(BASE)


def snapshot(session: Session) -> dict[str, Any]:
    return dump(session)
