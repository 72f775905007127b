"""The fake's `pay` (what the demo shows): Stripe's two events POSTed signed over real loopback HTTP to the
app under uvicorn, the payment applied once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.fakes.stripe import FakeStripe, fake_at, pay
from arrears.store.models import Payment, PaymentLink
from arrears.system import System
from tests.payments.support import NOW, open_case
from tests.providers.stripe.test_webhooks import _link


@pytest.fixture
def served(system: System) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(system.web(), port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1/stripe/webhook"
    server.should_exit = True
    thread.join(10)


def test_paying_through_the_fake_applies_one_payment(
    system: System, fake: FakeStripe, sessions: sessionmaker[Session], served: str
) -> None:
    assert fake_at(fake.url) is fake
    case = open_case(sessions)
    ref = _link(system, case, "balance", 125_450)
    assert pay(fake, ref, served) == [200, 200]
    with sessions() as session:
        payment = session.scalars(select(Payment)).one()
        paid_at = session.scalar(select(PaymentLink.paid_at))
    assert payment.amount_minor == 125_450 and paid_at == NOW
