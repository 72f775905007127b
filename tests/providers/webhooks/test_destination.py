"""A signed webhook as its receiver sees it: Standard Webhooks headers verified by the `standardwebhooks`
package with either secret during a rotation, the event id as webhook-id, and each HTTP answer mapped to
delivered, retry later (Retry-After honoured) or refused for good."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from arrears.fakes import webhooks as fake_webhooks
from arrears.fakes.webhooks import WebhookReceiver, new_secret
from arrears.feed import FeedEvent
from arrears.providers.webhooks import WebhookDestination, load_endpoints
from arrears.providers.webhooks.config import Endpoint
from arrears.providers.webhooks.http import retry_after
from arrears.writeback import DeliveryRefused, DeliveryUnavailable

EVENT = FeedEvent(
    position=(0, 7),
    id="evt0000000000000000000000000001",
    kind="payment.applied",
    entity="payment",
    entity_id="pay-1",
    case_id="case-1",
    customer_id="cust-1",
    data={"amount_minor": 12345, "currency": "USD"},
    occurred_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
)


def started(tmp_path: Path, secret: str | None = None, signing: list[str] | None = None) -> WebhookReceiver:
    return fake_webhooks.start(secret, config_dir=tmp_path, signing_secrets=signing)


def destination_for(running: WebhookReceiver) -> WebhookDestination:
    (endpoint,) = load_endpoints(Path(running.env["ARREARS_WEBHOOK_ENDPOINTS"]))
    return WebhookDestination(endpoint, timeout_seconds=5.0)


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[WebhookReceiver]:
    running = started(tmp_path)
    yield running
    running.stop()


def test_the_message_is_signed_and_shaped_per_standard_webhooks(hook: WebhookReceiver) -> None:
    destination_for(hook).deliver(EVENT, None)
    (delivery,) = hook.deliveries
    assert delivery.id == EVENT.id
    assert delivery.message["type"] == "payment.applied"
    assert delivery.message["timestamp"] == "2026-03-10T15:00:00+00:00"
    assert delivery.message["data"]["entity_id"] == "pay-1" and delivery.message["data"]["case"] is None
    assert delivery.signature.startswith("v1,")


def test_during_a_rotation_either_secret_verifies(tmp_path: Path) -> None:
    new, old = new_secret(), new_secret()
    running = started(tmp_path, new, signing=[new, old])
    try:
        destination_for(running).deliver(EVENT, None)
        (delivery,) = running.deliveries
        headers = {
            "webhook-id": delivery.id,
            "webhook-timestamp": delivery.timestamp,
            "webhook-signature": delivery.signature,
        }
        assert len(delivery.signature.split(" ")) == 2
        for secret in (new, old):
            assert Webhook(secret).verify(delivery.body, headers)["data"]["id"] == EVENT.id
    finally:
        running.stop()


def test_a_receiver_with_another_secret_refuses_and_records_nothing(tmp_path: Path) -> None:
    running = started(tmp_path, new_secret(), signing=[new_secret()])
    try:
        with pytest.raises(DeliveryRefused, match="400"):
            destination_for(running).deliver(EVENT, None)
        assert running.deliveries == [] and running.rejected == 1
    finally:
        running.stop()


@pytest.mark.parametrize("status", [500, 503, 408, 409, 425, 429])
def test_retryable_answers_are_unavailable(hook: WebhookReceiver, status: int) -> None:
    hook.fail_next(status, retry_after="120")
    with pytest.raises(DeliveryUnavailable) as caught:
        destination_for(hook).deliver(EVENT, None)
    assert caught.value.retry_after == 120.0
    assert hook.deliveries == []


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_other_4xx_answers_are_refused(hook: WebhookReceiver, status: int) -> None:
    hook.fail_next(status)
    with pytest.raises(DeliveryRefused, match=str(status)):
        destination_for(hook).deliver(EVENT, None)


def test_nothing_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = Endpoint("gone", f"http://127.0.0.1:{port}/hook", (b"k" * 32,), None)
    with pytest.raises(DeliveryUnavailable, match="unreachable"):
        WebhookDestination(endpoint, timeout_seconds=2.0).deliver(EVENT, None)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert retry_after("30") == 30.0
    assert retry_after("Tue, 10 Mar 2026 15:02:00 GMT", now) == 120.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_the_body_is_compact_json_with_the_case_snapshot_dates_as_text(hook: WebhookReceiver) -> None:
    from datetime import date

    from arrears.writeback import CaseSnapshot

    case = CaseSnapshot(
        "case-1", "cust-1", "C-1", "billing", "Dana Reyes", None, None, "A-1", "open", "early", "USD",
        24350, 0, 37, date(2026, 3, 20), 10000, "jo", datetime(2026, 2, 2, tzinfo=UTC),
    )  # fmt: skip
    destination_for(hook).deliver(EVENT, case)
    (delivery,) = hook.deliveries
    assert b", " not in delivery.body and b": " not in delivery.body
    sent = json.loads(delivery.body)["data"]["case"]
    assert sent["promise_due_on"] == "2026-03-20" and sent["balance_minor"] == 24350
