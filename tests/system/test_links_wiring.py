"""The composition root's payment links: the last provider that issues links issues them all, and two
processes on one database (a worker that writes links into messages, a server that opens them) agree on
the signing key without configuration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from arrears.core.clock import SimulatedClock
from arrears.payments import IssuedLink, LinkRequest
from arrears.providers.base import Offer
from arrears.providers.local import LocalPaymentLinks
from arrears.system.registry import chosen_payment_links
from tests.payments.support import NOW, open_case, system_for


class _Elsewhere:
    def link_for(self, request: LinkRequest) -> IssuedLink:
        return IssuedLink(f"https://pay.example/{request.idempotency_key}", request.expires_at)


def test_the_last_offer_with_links_issues_them() -> None:
    elsewhere = _Elsewhere()
    offers = [Offer("local"), Offer("stripe", payment_links=elsewhere), Offer("openai")]
    assert chosen_payment_links(offers) is elsewhere
    assert chosen_payment_links([Offer("openai")]) is None


def test_a_link_made_by_the_worker_opens_on_the_server(engine: Engine, tmp_path: Path) -> None:
    clock = SimulatedClock(NOW)
    worker, server = system_for(engine, clock, tmp_path), system_for(engine, clock, tmp_path)
    assert isinstance(worker.payment_links, LocalPaymentLinks)
    case = open_case(worker.sessions)
    issued = worker.payment_links.link_for(
        LinkRequest("k", case.id, case.customer_id, 100, "USD", "balance", NOW + timedelta(days=1), "x")
    )
    unsubscribe = worker.unsubscribe_links.url_for("some-key")
    assert issued.url.startswith("http://127.0.0.1:8000/pay/") and unsubscribe.startswith(
        "http://127.0.0.1:8000/u/"
    )
    with TestClient(server.web()) as client:
        assert client.get(urlsplit(issued.url).path).status_code == 200
        assert client.get(urlsplit(unsubscribe).path).status_code == 200
