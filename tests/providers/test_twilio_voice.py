"""A whole call over Twilio: dialled through the gate and the SDK (local fake REST API), answered,
conducted by signed Gather webhooks, ended in an outcome keyed by the call SID; replays, machines and
forged requests write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.engine.dispatcher import Dispatcher
from arrears.providers.twilio.channels import TwilioVoice
from arrears.providers.twilio.client import TwilioConfig, make_client
from arrears.store.models import (
    Case,
    Conversation,
    Customer,
    Interaction,
    OptOut,
    OutboxAction,
    Outcome,
    Promise,
)
from arrears.system import System, build_system
from tests.conversations.support import NOW, PHONE, seed_case
from tests.fakes.twilio_api import FakeTwilio, fake_twilio
from tests.providers.twilio_support import (
    BASE,
    OURS,
    gather_path,
    said,
    signed,
    snapshot,
    twilio_settings,
    xml,
)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        yield running


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def system(engine: Engine, clock: SimulatedClock, fake: FakeTwilio, tmp_path: Path) -> System:
    settings = twilio_settings(engine.url.render_as_string(hide_password=False), fake.url, tmp_path)
    return build_system(settings, clock=clock, engine=engine)


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(system.web(), raise_server_exceptions=False) as test_client:
        yield test_client


def _plan_call(sessions: sessionmaker[Session], case_id: str, customer_id: str) -> None:
    with sessions.begin() as session:
        session.execute(
            insert(OutboxAction).values(
                id=new_id(),
                idempotency_key="step-14-call",
                case_id=case_id,
                customer_id=customer_id,
                kind="contact",
                step_id="day-14-call",
                channel="voice",
                destination=PHONE,
                destination_kind="unknown",
                template="consumer/call-pay-or-promise",
                payload={"tone": "firm"},
                status="pending",
                not_before=NOW,
                attempts=0,
                created_at=NOW,
            )
        )


def _dial(sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio, gate: object) -> int:
    config = TwilioConfig("AC" + "2" * 32, "twilio-test-token", OURS, None, BASE, fake.url)
    voice = TwilioVoice(make_client(config), OURS, BASE)
    dispatcher = Dispatcher(sessions, clock, {"voice": voice}, gate, worker_id="t")  # type: ignore[arg-type]
    return dispatcher.run_once().sent


def _call(sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio) -> tuple[str, str]:
    """Seed a case, plan a call, dispatch it; returns (answer path, call SID)."""
    case_id = seed_case(sessions)
    with sessions() as session:
        customer_id = session.scalars(select(Case.customer_id)).one()
    _plan_call(sessions, case_id, customer_id)
    assert _dial(sessions, clock, fake, MinimalGate()) == 1
    create = fake.requests[-1]
    answer = create.one("Url").removeprefix(BASE)
    with sessions() as session:
        sid = session.scalars(
            select(Interaction.provider_id).where(Interaction.direction == "outbound")
        ).one()
    assert sid is not None and sid.startswith("CA")
    return answer, sid


def test_a_call_from_answer_to_booked_promise_and_replays_write_nothing(
    client: TestClient,
    sessions: sessionmaker[Session],
    clock: SimulatedClock,
    fake: FakeTwilio,
    system: System,
) -> None:
    answer, sid = _call(sessions, clock, fake)
    form = {"CallSid": sid, "AccountSid": "AC" + "2" * 32, "From": OURS, "To": PHONE, "AnsweredBy": "human"}
    posted: list[tuple[str, dict[str, str]]] = [(answer, form)]
    root = xml(signed(client, answer, form))
    opening = said(root)
    assert "automated assistant" in opening and "Brightwater Energy" in opening and "Dana Reyes" in opening
    assert "243" not in opening  # nothing about the debt before verification
    script = [
        "yes, speaking",
        "it's 1 0 0 0 1",
        "I can pay it all on March 20th",
        "yes the full amount",
        "yes that's right",
    ]
    replies = []
    for words in script:
        path = gather_path(root)
        assert path is not None, said(root)
        turn = {"CallSid": sid, "SpeechResult": words, "Confidence": "0.92"}
        posted.append((path, turn))
        root = xml(signed(client, path, turn))
        replies.append(said(root))
    assert "postcode" in replies[0]
    assert "$243.50" in replies[1] and "INV-1001" in replies[1] and "37 days overdue" in replies[1]
    assert "To confirm: $243.50 on Friday, March 20" in replies[3]
    assert root.find("Hangup") is not None and gather_path(root) is None
    status = {"CallSid": sid, "CallStatus": "completed", "CallDuration": "95", "AnsweredBy": "human"}
    posted.append(("/v1/twilio/voice/status?key=step-14-call", status))
    assert signed(client, posted[-1][0], status).status_code == 204
    assert system.inbox.apply_due() == 1  # the report is stored at once and applied by the worker
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        assert (
            outcome.idempotency_key,
            outcome.routing,
            outcome.promise_on,
            outcome.promise_amount_minor,
        ) == (
            sid,
            "booked",
            date(2026, 3, 20),
            24350,
        )
        promise = session.scalars(select(Promise)).one()
        assert (promise.due_on, promise.channel, promise.interaction_id) == (
            date(2026, 3, 20),
            "voice",
            outcome.interaction_id,
        )
        call = session.scalars(select(Interaction).where(Interaction.direction == "outbound")).one()
        assert call.status == "sent" and call.connected
        assert (call.detail["call_status"], call.detail["duration_seconds"]) == ("completed", 95)
        assert call.delivery_status == "delivered"
        transcript = session.get(Interaction, outcome.interaction_id)
        assert transcript is not None and "customer: I can pay it all on March 20th" in (
            transcript.transcript_redacted or ""
        )
        before = snapshot(session)
    for path, replayed in posted:  # Twilio retries: every webhook again, in order
        response = signed(client, path, replayed)
        assert response.status_code in (200, 204)
    assert system.inbox.apply_due() == 0
    with sessions() as session:
        assert snapshot(session) == before


def test_a_machine_hears_only_the_limited_content_voicemail(
    client: TestClient, sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio
) -> None:
    answer, sid = _call(sessions, clock, fake)
    form = {"CallSid": sid, "From": OURS, "To": PHONE, "AnsweredBy": "machine_end_beep"}
    for _ in range(2):
        root = xml(signed(client, answer, form))
        message = said(root)
        assert root.find("Gather") is None and root.find("Hangup") is not None
        assert "Dana Reyes" in message and "Brightwater Energy" in message and "555 0100" in message
        assert "243" not in message and "debt" not in message.lower() and "overdue" not in message
    with sessions() as session:
        outcome = session.scalars(select(Outcome)).one()
        assert (outcome.idempotency_key, outcome.routing) == (sid, "retried")
        assert session.scalars(select(Conversation.status)).one() == "voicemail"


def test_unsigned_or_forged_webhooks_get_403_and_record_nothing(
    client: TestClient, sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio
) -> None:
    answer, sid = _call(sessions, clock, fake)
    form = {"CallSid": sid, "From": OURS, "To": PHONE, "AnsweredBy": "human"}
    with sessions() as session:
        before = snapshot(session)
    assert client.post(answer, data=form).status_code == 403
    assert signed(client, answer, form, token="someone-elses-token").status_code == 403
    good = signed(client, answer, form).request.headers["X-Twilio-Signature"]
    tampered = {**form, "AnsweredBy": "machine_start"}
    assert client.post(answer, data=tampered, headers={"X-Twilio-Signature": good}).status_code == 403
    status = {"CallSid": sid, "CallStatus": "completed"}
    assert client.post("/v1/twilio/voice/status", data=status).status_code == 403
    assert client.post("/v1/twilio/messages", data={"From": PHONE, "Body": "STOP"}).status_code == 403
    with sessions() as session:
        # Only the one signed answer above was recorded; the forged ones left no trace.
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalar(select(func.count()).select_from(OptOut)) == 0
        after = snapshot(session)
    assert set(after) == set(before)


def test_the_gate_stands_between_the_plan_and_the_dialler(
    sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio
) -> None:
    case_id = seed_case(sessions)
    with sessions() as session:
        customer_id = session.scalars(select(Case.customer_id)).one()
    _plan_call(sessions, case_id, customer_id)
    with sessions.begin() as session:
        session.execute(
            insert(OptOut).values(
                id=new_id(), customer_id=customer_id, channel="voice", reason="opt_out", source="test", at=NOW
            )
        )
    assert _dial(sessions, clock, fake, MinimalGate()) == 0
    assert fake.requests == []  # nothing reached Twilio
    with sessions() as session:
        assert session.scalars(select(OutboxAction.status)).one() == "refused"


def test_a_spanish_customer_is_spoken_to_and_heard_in_spanish(
    client: TestClient, sessions: sessionmaker[Session], clock: SimulatedClock, fake: FakeTwilio
) -> None:
    """A Spanish locale: the opening is said in Spanish and every Gather listens for Spanish, so what the
    customer says reaches the dialogue as Spanish words."""
    answer, sid = _call(sessions, clock, fake)
    with sessions.begin() as session:
        session.execute(update(Customer).values(locale="es-US"))
    form = {"CallSid": sid, "AccountSid": "AC" + "2" * 32, "From": OURS, "To": PHONE, "AnsweredBy": "human"}
    root = xml(signed(client, answer, form))
    assert said(root).startswith("Hola, le habla un asistente automático")
    gather = root.find("Gather")
    assert gather is not None and gather.get("language") == "es-US"
    assert all(say.get("language") == "es" for say in root.iter("Say"))
    path = gather_path(root)
    assert path is not None
    turn = {"CallSid": sid, "SpeechResult": "sí, soy yo", "Confidence": "0.9"}
    root = xml(signed(client, path, turn))
    assert "código postal" in said(root) and root.find("Gather") is not None
    assert root.find("Gather").get("language") == "es-US"  # type: ignore[union-attr]
