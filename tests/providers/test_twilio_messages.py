"""Two-way SMS and WhatsApp over signed Twilio webhooks: each text stored in the inbox and acknowledged
with an empty <Response>, then applied by the worker through the one path for words (revocation keywords
first, then the dialogue); the agent's answer leaves as its own message through the outbox, the contact gate
and Twilio's Messages API. Card numbers are refused and never stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.store.db import make_engine, session_factory
from arrears.store.models import (
    AuditEntry,
    Case,
    Conversation,
    Hold,
    InboxEvent,
    Interaction,
    OptOut,
    OutboxAction,
    Outcome,
    Task,
)
from arrears.system import System, build_system
from tests.conversations.support import NOW, PHONE, seed_case
from tests.fakes.twilio_api import FakeTwilio, fake_twilio
from tests.providers.twilio_support import OURS, signed, snapshot, twilio_settings, xml


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


@pytest.fixture
def system(engine: Engine, fake: FakeTwilio, tmp_path: Path) -> System:
    settings = twilio_settings(engine.url.render_as_string(hide_password=False), fake.url, tmp_path)
    return build_system(settings, clock=SimulatedClock(NOW), engine=engine)


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(system.web(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def text(client: TestClient, system: System, fake: FakeTwilio) -> Callable[..., str]:
    worker = system.worker(worker_id="test")

    def send(body: str, sid: str, sender: str = PHONE) -> str:
        """The customer texts; Twilio's webhook is answered at once with nothing; the worker applies the
        text and sends the agent's answer through Twilio: what the customer's phone receives."""
        form = {"From": sender, "To": OURS if not sender.startswith("whatsapp:") else "whatsapp:+15005550007"}
        form |= {"Body": body, "MessageSid": sid, "AccountSid": "AC" + "2" * 32}
        root = xml(signed(client, "/v1/twilio/messages", form))
        assert list(root) == []  # acknowledged, not answered in the webhook
        before = len(fake.requests)
        system.inbox.apply_due()
        worker.dispatcher.run_until_idle()
        answers = [
            r.one("Body")
            for r in fake.requests[before:]
            if r.path.endswith("/Messages.json") and r.one("To") == sender
        ]
        return "\n".join(answers)

    return send


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _pending_sms(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        case_id, customer_id = session.execute(select(Case.id, Case.customer_id)).one()
        session.execute(
            insert(OutboxAction).values(
                id=new_id(),
                idempotency_key="day-7-sms",
                case_id=case_id,
                customer_id=customer_id,
                kind="contact",
                step_id="day-7",
                channel="sms",
                destination=PHONE,
                destination_kind="mobile",
                template="reminder",
                payload={},
                status="pending",
                not_before=NOW,
                attempts=0,
                created_at=NOW,
            )
        )


def test_stop_is_an_opt_out_before_anything_else(
    text: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    seed_case(sessions)
    _pending_sms(sessions)
    reply = text("STOP", "SM100")
    assert "unsubscribed" in reply and "Brightwater Energy" in reply
    with sessions() as session:
        assert [(o.channel, o.reason) for o in session.scalars(select(OptOut))] == [("sms", "revocation")]
        statuses = dict(session.execute(select(OutboxAction.template, OutboxAction.status)).tuples().all())
        assert statuses == {"reminder": "cancelled", "opt-out-confirmation": "sent"}
        assert session.scalars(select(OutboxAction.payload)).all()[-1]["purpose"] in (
            None,
            "opt_out_confirmation",
        )
        assert _count(session, Conversation) == 0
        before = snapshot(session)
    assert text("STOP", "SM100") == ""  # Twilio's retry: stored once, applied once, answered once
    with sessions() as session:
        assert snapshot(session) == before


def test_a_stop_word_inside_a_sentence_suppresses_and_asks_a_person(
    text: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    seed_case(sessions)
    reply = text("can you stop sending these at night", "SM101")
    assert "review" in reply
    with sessions() as session:
        assert [(h.kind, h.scope, h.channel) for h in session.scalars(select(Hold))] == [
            ("review", "channel", "sms")
        ]
        assert session.scalars(select(Task.reason)).one() == "possible_revocation"
        assert _count(session, Conversation) == 0 and _count(session, OptOut) == 0


def test_a_text_conversation_verifies_then_sends_a_link_and_refuses_a_card(
    text: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    seed_case(sessions)
    assert "Am I speaking with Dana Reyes" in text("hi, who is this?", "SM1")
    assert "postcode" in text("yes it's me", "SM2")
    assert "$243.50" in text("10001", "SM3")
    refused = text("sure, card 4111 1111 1111 1111 exp 04/28 cvv 123", "SM4")
    assert "can't take card details" in refused and "4111" not in refused
    with sessions() as session:
        link = session.scalars(select(OutboxAction).where(OutboxAction.template == "payment-link")).one()
        assert (link.channel, link.destination, link.status) == ("sms", PHONE, "sent")
        conv = session.scalars(select(Conversation)).one()
        stored = " ".join(
            [str(conv.state), *(i.transcript_redacted or "" for i in session.scalars(select(Interaction)))]
        )
        stored += " ".join(str(a.data) for a in session.scalars(select(AuditEntry)))
        assert "4111" not in stored and "cvv 123" not in stored
        assert conv.thread == f"{PHONE}|{OURS}" and conv.provider_conversation_id == "SM1"


def test_whatsapp_threads_and_unknown_senders(
    text: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    seed_case(sessions)
    assert text("hello", "SM7", sender="+19995550000") == ""  # nobody on file: nothing said or kept
    assert "Dana Reyes" in text("hello", "SM8", sender=f"whatsapp:{PHONE}")
    with sessions() as session:
        assert session.scalars(select(Conversation.channel)).all() == ["whatsapp"]
        assert _count(session, Outcome) == 0


@pytest.mark.postgres
def test_ten_identical_deliveries_at_once_store_and_apply_one(postgres_url: str, tmp_path: Path) -> None:
    """Twilio retrying a STOP ten times at once, applied by four workers at once, then ten times more after
    it was applied: every request is answered 200, one row is stored, one opt-out is recorded, one
    confirmation queued (on SQLite one writer at a time makes this trivially true)."""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    seed_case(sessions)
    settings = twilio_settings(postgres_url, "http://127.0.0.1:9", tmp_path)
    system = build_system(settings, clock=SimulatedClock(NOW), engine=engine)
    form = {
        "From": PHONE,
        "To": OURS,
        "Body": "STOP",
        "MessageSid": "SM-retried",
        "AccountSid": "AC" + "2" * 32,
    }

    def wave() -> list[int]:
        barrier = Barrier(10)

        def deliver(_: int) -> int:
            with TestClient(system.web(), raise_server_exceptions=False) as client:
                barrier.wait()
                return signed(client, "/v1/twilio/messages", form).status_code

        with ThreadPoolExecutor(10) as pool:
            return list(pool.map(deliver, range(10)))

    def apply_at_once() -> int:
        barrier = Barrier(4)

        def work(_: int) -> int:
            barrier.wait()
            return system.inbox.apply_due()

        with ThreadPoolExecutor(4) as pool:
            return sum(pool.map(work, range(4)))

    assert wave() == [200] * 10
    assert apply_at_once() == 1
    assert wave() == [200] * 10
    assert apply_at_once() == 0
    with sessions() as session:
        stored = session.scalars(select(InboxEvent.external_id).where(InboxEvent.source == "twilio")).all()
        assert stored == ["SM-retried"] and _count(session, OptOut) == 1
        assert session.scalars(select(OutboxAction.template)).all() == ["opt-out-confirmation"]
    engine.dispose()


def test_each_text_the_agent_sends_says_a_disclosure_and_how_to_stop_once(
    text: Callable[..., str], system: System, sessions: sessionmaker[Session]
) -> None:
    """A New York City customer (Reg F binds creditors there) answers after the ladder's contact: every answer
    carries what the rules require when it is sent, once, with one opt-out line; the agent's own words
    do not repeat the disclosures the first text carried."""
    seed_case(sessions)
    worker = system.worker(worker_id="ladder")
    worker.planner.run_until_idle()
    worker.dispatcher.run_until_idle()
    with sessions() as session:
        judged = session.scalars(select(Interaction.decision).where(Interaction.direction == "outbound"))
        assert any((d or {}).get("disclosures") for d in judged)  # the ladder's contact was judged so
    answers = [text("who is this?", "SM1"), text("yes it's me", "SM2"), text("10001", "SM3")]
    assert "$243.50" in answers[2]
    for answer in answers:
        assert answer.count("debt collector") == 1, answer
        assert answer.count("STOP") == 1, answer
