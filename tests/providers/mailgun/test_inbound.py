"""Mailgun's inbound routes end to end: a signed post is stored once in the inbox and answered 200; the
worker applies it. A reply becomes the customer's turn (matched by In-Reply-To, else by the sender) and the
agent's answer is queued for the outbox; a hard bounce fails the send once and condemns the address so
the planner never chooses it again. A bad signature stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.casefacts.contact import choose_destination
from arrears.casefacts.load import load_case_facts
from arrears.core.clock import SimulatedClock
from arrears.core.ids import new_id
from arrears.fakes.mailgun import bounce_for, customer_reply, post_inbound, signed
from arrears.store.models import (
    ContactPoint,
    Conversation,
    DomainEvent,
    Hold,
    InboxEvent,
    Interaction,
    OptOut,
    OutboxAction,
    Task,
)
from arrears.system import System, build_system
from tests.providers.mailgun.support import (
    DANA,
    KEY,
    NOW,
    OURS,
    SENT_ID,
    SENT_KEY,
    mailgun_settings,
    seed_email_case,
    seed_sent_email,
)

BASE = "http://testserver"


@pytest.fixture
def system(engine: Engine, tmp_path: Path) -> System:
    settings = mailgun_settings(engine.url.render_as_string(hide_password=False), tmp_path / "outbox")
    return build_system(settings, clock=SimulatedClock(NOW), engine=engine)


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(system.web(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> tuple[str, str, str]:
    case_id, customer_id = seed_email_case(sessions)
    return case_id, customer_id, seed_sent_email(sessions, case_id, customer_id)


def _post(client: TestClient, message: EmailMessage, *, raw: bool = False, **signing: object) -> Response:
    stamp = int(NOW.timestamp())
    return post_inbound(BASE, KEY, message, raw=raw, client=client, timestamp=stamp, **signing)  # type: ignore[arg-type]


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _reply(text: str = "I can pay the full balance on Friday.", **kw: object) -> EmailMessage:
    return customer_reply(f"Dana Reyes <{DANA}>", OURS, text, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "signature",
    [
        {"timestamp": str(int(NOW.timestamp())), "token": "t" * 50, "signature": "0" * 64},  # forged
        {"timestamp": str(int(NOW.timestamp())), "token": "t" * 50},  # missing
        signed("another-accounts-key", timestamp=int(NOW.timestamp()), token="t" * 50),  # wrong key
        signed(KEY, timestamp=int((NOW - timedelta(minutes=6)).timestamp()), token="t" * 50),  # stale
        signed(KEY, timestamp=int((NOW + timedelta(minutes=6)).timestamp()), token="t" * 50),  # future
    ],
    ids=["forged", "missing", "wrong-key", "stale", "future"],
)
@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "mime"])
def test_a_bad_signature_is_refused_and_stores_nothing(
    client: TestClient, sessions: sessionmaker[Session], signature: dict[str, str], raw: bool
) -> None:
    response = _post(client, _reply(), raw=raw, signature=signature)
    assert response.status_code == 403
    assert "Mailgun signature" in response.text
    assert not signature.get("signature") or signature["signature"] not in response.text
    with sessions() as session:
        assert _count(session, InboxEvent, InboxEvent.source == "mailgun") == 0


def test_a_reply_quoting_our_message_is_the_customers_turn_and_is_answered_by_email(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    case_id, _, _ = seeded
    reply = _reply(in_reply_to=SENT_ID, quoted="Your balance is 243.50 USD.\nReply STOP to opt out.")
    assert _post(client, reply).status_code == 200
    assert system.inbox.apply_due() == 1
    system.worker(worker_id="test").dispatcher.run_until_idle()  # the answer leaves through the outbox
    with sessions() as session:
        event = session.scalars(select(InboxEvent).where(InboxEvent.source == "mailgun")).one()
        assert (event.source, event.kind, event.status) == ("mailgun", "email.inbound", "done")
        assert event.result is not None and event.result["matched_by"] == "in-reply-to"
        conv = session.scalars(select(Conversation)).one()
        assert (conv.case_id, conv.channel) == (case_id, "email")
        answer = session.scalars(select(OutboxAction).where(OutboxAction.kind == "reply")).one()
        assert (answer.channel, answer.destination, answer.case_id) == ("email", DANA, case_id)
        assert answer.status == "sent", answer.last_error
        assert answer.payload["in_reply_to"] == reply["Message-ID"].strip("<>")
        # "STOP" was only in the quoted history: no opt-out, no suppression
        assert _count(session, OptOut) == 0 and _count(session, Hold) == 0


def test_the_raw_mime_route_strips_the_quoted_history_itself(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    reply = _reply("Please call me tomorrow.\n\n--\nDana", quoted="Reply STOP to opt out.")
    assert _post(client, reply, raw=True).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        assert (
            session.scalars(select(InboxEvent.status).where(InboxEvent.source == "mailgun")).one() == "done"
        )
        assert _count(session, Conversation) == 1
        assert _count(session, OptOut) == 0 and _count(session, Hold) == 0


def test_a_reply_without_in_reply_to_is_matched_by_the_sender(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    case_id, _, _ = seeded
    assert _post(client, _reply("What do I owe?")).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        result = session.scalars(select(InboxEvent.result).where(InboxEvent.source == "mailgun")).one()
        assert result is not None and result["matched_by"] == "sender" and result["known"] is True
        assert session.scalars(select(Conversation.case_id)).one() == case_id


def test_every_inbound_replayed_three_times_is_one_turn_and_one_bounce(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    reply = _reply(in_reply_to=SENT_ID)
    bounce = bounce_for(SENT_ID, DANA, "bounces@mail.brightwater.example")
    for n in range(3):  # Mailgun's retries: a new token each time; both routes carry the same e-mail
        for message in (reply, bounce):
            assert _post(client, message, raw=n == 2, token=f"{n}" * 50).status_code == 200
        system.inbox.apply_due()
    with sessions() as session:
        assert _count(session, InboxEvent, InboxEvent.source == "mailgun") == 2
        assert _count(session, Conversation) == 1
        assert _count(session, OutboxAction, OutboxAction.kind == "reply") == 1
        assert _count(session, DomainEvent, DomainEvent.kind == "message.failed") == 1


@pytest.mark.parametrize("raw", [False, True], ids=["parsed", "mime"])
def test_a_hard_bounce_fails_the_send_once_and_the_address_is_never_chosen_again(
    client: TestClient,
    system: System,
    sessions: sessionmaker[Session],
    seeded: tuple[str, str, str],
    raw: bool,
) -> None:
    case_id, customer_id, interaction_id = seeded
    with sessions.begin() as session:  # a second address on file, not primary
        session.execute(
            insert(ContactPoint).values(
                id=new_id(),
                customer_id=customer_id,
                channel="email",
                value="dana.work@example.com",
                kind="personal",
                is_primary=False,
                created_at=NOW,
            )
        )
    with sessions() as session:
        before = choose_destination(load_case_facts(session, [case_id], NOW)[case_id], "email")
        assert before is not None and before.value == DANA
    with sessions.begin() as session:  # the next e-mail to Dana, queued before the bounce came back
        session.execute(
            insert(OutboxAction).values(
                id=new_id(),
                idempotency_key="day-10-email",
                case_id=case_id,
                customer_id=customer_id,
                kind="contact",
                step_id="day-10",
                channel="email",
                destination=DANA,
                destination_kind="personal_email",
                template="reminder",
                payload={},
                status="pending",
                not_before=NOW + timedelta(days=7),
                attempts=0,
                created_at=NOW,
            )
        )
    bounce = bounce_for(SENT_ID, DANA, "bounces@mail.brightwater.example", status="5.1.1")
    assert _post(client, bounce, raw=raw).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        stored = session.scalars(select(InboxEvent).where(InboxEvent.source == "mailgun")).one()
        assert stored.status == "done", stored.problem
        assert stored.result is not None and stored.result["bounce"] == "hard", stored.result
        sent = session.get(Interaction, interaction_id)
        assert sent is not None and sent.delivery_status == "failed"
        assert sent.detail["error_code"] == "5.1.1"
        failed = session.scalars(select(DomainEvent).where(DomainEvent.kind == "message.failed")).one()
        assert (failed.case_id, failed.data["error_code"]) == (case_id, "5.1.1")
        dead = session.scalars(select(ContactPoint).where(ContactPoint.value == DANA)).one()
        assert dead.undeliverable_at is not None and "5.1.1" in (dead.undeliverable_reason or "")
        assert DANA not in (dead.undeliverable_reason or "")
        after = choose_destination(load_case_facts(session, [case_id], NOW)[case_id], "email")
        assert after is not None and after.value == "dana.work@example.com"
        assert _count(session, Conversation) == 0  # a bounce is nobody's turn
        queued = session.scalars(select(OutboxAction).where(OutboxAction.idempotency_key == "day-10-email"))
        assert queued.one().status == "cancelled"  # it would only bounce again


@pytest.mark.parametrize(
    ("status", "action"), [("4.2.2", "delayed"), ("4.4.1", "failed")], ids=["delayed", "4xx-failed"]
)
def test_a_soft_bounce_marks_nothing(
    client: TestClient,
    system: System,
    sessions: sessionmaker[Session],
    seeded: tuple[str, str, str],
    status: str,
    action: str,
) -> None:
    _, _, interaction_id = seeded
    bounce = bounce_for(SENT_ID, DANA, "bounces@x.example", status=status, action=action)
    assert _post(client, bounce, raw=True).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        sent = session.get(Interaction, interaction_id)
        assert sent is not None and sent.delivery_status == "sent"
        assert sent.detail["soft_bounce"]["status"] == status
        assert session.scalars(select(ContactPoint.undeliverable_at)).all() == [None]
        assert _count(session, DomainEvent, DomainEvent.kind == "message.failed") == 0


def test_a_policy_refusal_fails_the_send_but_keeps_the_address(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    bounce = bounce_for(
        "unrelated@elsewhere", DANA, "bounces@x.example", status="5.7.1", idempotency_key=SENT_KEY
    )
    assert _post(client, bounce, raw=True).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        assert _count(session, DomainEvent, DomainEvent.kind == "message.failed") == 1  # found by our key
        assert session.scalars(select(ContactPoint.undeliverable_at)).all() == [None]


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Auto-Response-Suppress": "All", "Subject": "Automatic reply: Your account"},
        {"Precedence": "auto_reply"},
    ],
    ids=["rfc3834", "exchange", "precedence"],
)
def test_an_automatic_reply_is_never_a_turn(
    client: TestClient,
    system: System,
    sessions: sessionmaker[Session],
    seeded: tuple[str, str, str],
    headers: dict[str, str],
) -> None:
    extra = {name: value for name, value in headers.items() if name != "Subject"}
    subject = headers.get("Subject")
    message = _reply("I am out of the office until Monday.", in_reply_to=SENT_ID, headers=extra)
    if subject:
        message.replace_header("Subject", subject)
    assert _post(client, message).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        result = session.scalars(select(InboxEvent.result).where(InboxEvent.source == "mailgun")).one()
        assert result == {"ignored": "an automatic reply"}
        assert (
            _count(session, Conversation) == 0
            and _count(session, OutboxAction, OutboxAction.kind == "reply") == 0
        )


def test_a_reply_from_an_address_not_on_file_goes_to_a_person_unanswered(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    case_id, _, _ = seeded
    message = customer_reply("someone@else.example", OURS, "Who is this?", in_reply_to=SENT_ID)
    assert _post(client, message).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        task = session.scalars(select(Task)).one()
        assert (task.case_id, task.reason) == (case_id, "reply_from_unknown_address")
        assert (
            _count(session, Conversation) == 0
            and _count(session, OutboxAction, OutboxAction.kind == "reply") == 0
        )


def test_a_post_that_is_not_a_form_is_refused(client: TestClient, sessions: sessionmaker[Session]) -> None:
    response = client.post("/v1/email/inbound/mailgun", json={"recipient": OURS})
    assert response.status_code == 415
    with sessions() as session:
        assert _count(session, InboxEvent, InboxEvent.source == "mailgun") == 0


@pytest.mark.parametrize("bounced", [False, True], ids=["live", "bounced"])
def test_the_planner_never_plans_an_email_to_a_bounced_address(
    client: TestClient, system: System, sessions: sessionmaker[Session], bounced: bool
) -> None:
    seed_email_case(sessions, due_on="2026-03-08")  # two days late: the strategy's day-1 e-mail is due
    if bounced:  # a bounce for a message we cannot find still condemns the address it names
        bounce = bounce_for("lost@mail.brightwater.example", DANA.upper(), "bounces@x.example")
        assert _post(client, bounce, raw=True).status_code == 200
        system.inbox.apply_due()
    system.worker(worker_id="test").planner.run_until_idle()
    with sessions() as session:
        emails = session.scalars(
            select(OutboxAction.destination).where(OutboxAction.channel == "email")
        ).all()
    assert emails == ([] if bounced else [DANA])


def test_a_success_report_records_the_delivery(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    _, _, interaction_id = seeded
    report = bounce_for(SENT_ID, DANA, "bounces@x.example", status="2.0.0", action="delivered")
    assert _post(client, report, raw=True).status_code == 200
    system.inbox.apply_due()
    with sessions() as session:
        sent = session.get(Interaction, interaction_id)
        assert sent is not None and sent.delivery_status == "delivered"
        assert _count(session, DomainEvent, DomainEvent.kind == "message.delivered") == 1
        assert session.scalars(select(ContactPoint.undeliverable_at)).all() == [None]


def test_a_message_id_longer_than_the_store_keeps_is_heard_once(
    client: TestClient, system: System, sessions: sessionmaker[Session], seeded: tuple[str, str, str]
) -> None:
    reply = _reply("Can I pay in two parts?")
    reply.replace_header("Message-ID", f"<{'x' * 200}@example.org>")
    for n in range(2):
        assert _post(client, reply, raw=True, token=f"{n}" * 50).status_code == 200
        system.inbox.apply_due()
    with sessions() as session:
        stored = session.scalars(select(InboxEvent).where(InboxEvent.source == "mailgun")).one()
        assert stored.status == "done" and len(stored.external_id) <= 128
        assert _count(session, Conversation) == 1
