"""Interactions are the record of every attempt and conversation, and providers report delivery late, out of
order and more than once: a status may only move forward along its table, a replay must change nothing,
and message.delivered / message.failed reach the feed once, because consumers act on each event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.interactions import (
    DeliveryReport,
    DeliveryState,
    conversation_row,
    note_call,
    outbound_row,
    record_delivery,
    record_rows,
    update_transcript,
)
from arrears.store.models import Case, DomainEvent, Interaction
from tests.conversations.support import NOW, PHONE, seed_case

D = DeliveryState


def _case_ids(sessions: sessionmaker[Session]) -> tuple[str, str]:
    """Dana's case, seeded on first use: (case id, customer id)."""
    with sessions() as session:
        case = session.scalars(select(Case)).one_or_none()
    if case is None:
        seed_case(sessions)
        with sessions() as session:
            case = session.scalars(select(Case)).one()
    return case.id, case.customer_id


def _sent(
    sessions: sessionmaker[Session],
    provider_id: str = "SM1",
    *,
    provider: str = "twilio",
    status: str = "sent",
) -> str:
    """An SMS to Dana recorded as the dispatcher records it; returns the interaction id."""
    case_id, customer_id = _case_ids(sessions)
    row = outbound_row(
        case_id=case_id,
        customer_id=customer_id,
        channel="sms",
        status=status,
        at=NOW,
        outbox_id="ob-1",
        destination=PHONE,
        provider=provider,
        provider_id=provider_id,
    )
    with sessions.begin() as session:
        record_rows(session, [row])
    return str(row["id"])


def _report(
    state: DeliveryState, minutes: int, error_code: str | None = None, **facts: Any
) -> DeliveryReport:
    return DeliveryReport("twilio", "SM1", state, NOW + timedelta(minutes=minutes), error_code, facts)


def _apply(sessions: sessionmaker[Session], *reports: DeliveryReport) -> list[int]:
    """Each report in its own transaction, as callbacks arrive; how many rows each moved."""
    moved = []
    for report in reports:
        with sessions.begin() as session:
            moved.append(record_delivery(session, report))
    return moved


def _interaction(session: Session, interaction_id: str) -> Interaction:
    row = session.get(Interaction, interaction_id)
    assert row is not None
    return row


def _events(session: Session, interaction_id: str) -> list[DomainEvent]:
    query = select(DomainEvent).where(DomainEvent.entity_id == interaction_id).order_by(DomainEvent.seq)
    return list(session.scalars(query))


def test_an_attempt_is_recorded_as_built_and_only_a_sent_one_awaits_delivery(
    sessions: sessionmaker[Session],
) -> None:
    sent = _sent(sessions)
    case_id, customer_id = _case_ids(sessions)
    refused = outbound_row(
        case_id=case_id, customer_id=customer_id, channel="email", status="refused", at=NOW,
        planned_at=NOW - timedelta(hours=1), decision={"rule": "quiet hours"}, detail={"why": "night"},
    )  # fmt: skip
    with sessions.begin() as session:
        record_rows(session, [refused])
    with sessions() as session:
        row = _interaction(session, sent)
        assert (row.direction, row.status, row.channel, row.provider, row.provider_id) == (
            "outbound", "sent", "sms", "twilio", "SM1",
        )  # fmt: skip
        assert (row.case_id, row.customer_id, row.outbox_id, row.destination) == (
            case_id, customer_id, "ob-1", PHONE,
        )  # fmt: skip
        assert (row.delivery_status, row.delivery_updated_at, row.occurred_at) == ("sent", NOW, NOW)
        assert (row.connected, row.conversation, row.detail, row.transcript_redacted) == (
            False, False, {}, None,
        )  # fmt: skip
        other = _interaction(session, refused["id"])
        assert (other.status, other.delivery_status, other.delivery_updated_at) == ("refused", None, None)
        assert (other.planned_at, other.decision, other.detail) == (
            NOW - timedelta(hours=1), {"rule": "quiet hours"}, {"why": "night"},
        )  # fmt: skip


@pytest.mark.parametrize(("channel", "status"), [("voice", "answered"), ("sms", "received")])
def test_a_conversation_is_one_inbound_connected_row_with_its_transcript(
    sessions: sessionmaker[Session], channel: str, status: str
) -> None:
    case_id, customer_id = _case_ids(sessions)
    row = conversation_row(
        case_id=case_id, customer_id=customer_id, channel=channel, at=NOW, provider="twilio",
        provider_id="CA1", transcript="customer: hi", detail={"turns": 1}, outbox_id="ob-1",
    )  # fmt: skip
    with sessions.begin() as session:
        record_rows(session, [row])
    with sessions.begin() as session:
        update_transcript(session, row["id"], "customer: hi\nagent: hello", {"turns": 2})
    with sessions() as session:
        stored = _interaction(session, row["id"])
        assert (stored.direction, stored.status, stored.connected, stored.conversation) == (
            "inbound", status, True, True,
        )  # fmt: skip
        assert (stored.delivery_status, stored.delivery_updated_at, stored.outbox_id) == (None, None, "ob-1")
        assert (stored.transcript_redacted, stored.detail) == ("customer: hi\nagent: hello", {"turns": 2})


def test_receipts_move_a_message_forward_and_delivery_is_published_once_with_its_facts(
    sessions: sessionmaker[Session],
) -> None:
    interaction_id = _sent(sessions)
    assert _apply(sessions, _report(D.DELIVERED, 1, price="0.01"), _report(D.READ, 2)) == [1, 1]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.delivery_updated_at) == ("read", NOW + timedelta(minutes=2))
        assert row.detail == {"price": "0.01"}
        [event] = _events(session, interaction_id)
        assert (event.kind, event.entity, event.occurred_at) == (
            "message.delivered", "message", NOW + timedelta(minutes=1),
        )  # fmt: skip
        assert (event.case_id, event.customer_id) == (row.case_id, row.customer_id)
        assert event.data == {
            "channel": "sms",
            "outbox_id": "ob-1",
            "status": "delivered",
            "error_code": None,
        }


def test_a_late_sent_after_delivered_does_not_move_the_message_back(sessions: sessionmaker[Session]) -> None:
    interaction_id = _sent(sessions, status="planned")
    assert _apply(sessions, _report(D.DELIVERED, 2), _report(D.SENT, 1)) == [1, 0]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.delivery_updated_at) == ("delivered", NOW + timedelta(minutes=2))
        assert [e.kind for e in _events(session, interaction_id)] == ["message.delivered"]


def test_a_failure_reported_after_delivery_neither_moves_the_message_nor_publishes(
    sessions: sessionmaker[Session],
) -> None:
    interaction_id = _sent(sessions)
    assert _apply(sessions, _report(D.DELIVERED, 1), _report(D.FAILED, 2, "30008")) == [1, 0]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.delivery_updated_at) == ("delivered", NOW + timedelta(minutes=1))
        assert "error_code" not in (row.detail or {})  # news older than what is known changes nothing
        assert [e.kind for e in _events(session, interaction_id)] == ["message.delivered"]


def test_a_repeated_receipt_changes_nothing_and_publishes_nothing_more(
    sessions: sessionmaker[Session],
) -> None:
    interaction_id = _sent(sessions)
    first, replay = _report(D.DELIVERED, 1, price="0.01"), _report(D.DELIVERED, 1, price="0.01")
    assert _apply(sessions, first) == [1]
    with sessions() as session:
        before = _interaction(session, interaction_id)
        snapshot = (before.delivery_status, before.delivery_updated_at, before.detail)
    assert _apply(sessions, replay, replay) == [0, 0]
    with sessions() as session:
        after = _interaction(session, interaction_id)
        assert (after.delivery_status, after.delivery_updated_at, after.detail) == snapshot
        assert [e.kind for e in _events(session, interaction_id)] == ["message.delivered"]


@pytest.mark.parametrize(
    "order",
    [
        (D.SENT, D.DELIVERED, D.READ),
        (D.DELIVERED, D.SENT, D.READ),
        (D.DELIVERED, D.READ, D.SENT),
        (D.SENT, D.READ, D.DELIVERED),
        (D.READ, D.DELIVERED, D.SENT),
    ],
    ids=lambda order: "-".join(s.value for s in order),
)
def test_receipts_in_any_order_end_read_with_delivery_published_once(
    sessions: sessionmaker[Session], order: tuple[DeliveryState, ...]
) -> None:
    interaction_id = _sent(sessions, status="planned")
    _apply(sessions, *(_report(state, minutes) for minutes, state in enumerate(order)))
    with sessions() as session:
        assert _interaction(session, interaction_id).delivery_status == "read"
        assert [e.kind for e in _events(session, interaction_id)] == ["message.delivered"]


@pytest.mark.parametrize("state", [D.UNDELIVERED, D.FAILED])
def test_a_failure_is_final_and_published_once_as_message_failed_with_its_error_code(
    sessions: sessionmaker[Session], state: DeliveryState
) -> None:
    interaction_id = _sent(sessions)
    reports = (_report(state, 1, "30003"), _report(D.DELIVERED, 2), _report(D.FAILED, 3, "30008"))
    assert _apply(sessions, *reports) == [1, 0, 0]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.delivery_updated_at) == (state.value, NOW + timedelta(minutes=1))
        [event] = _events(session, interaction_id)
        assert (event.kind, event.occurred_at) == ("message.failed", NOW + timedelta(minutes=1))
        assert event.data == {
            "channel": "sms",
            "outbox_id": "ob-1",
            "status": state.value,
            "error_code": "30003",
        }


def test_a_failure_before_the_late_sent_receipt_stays_failed(sessions: sessionmaker[Session]) -> None:
    interaction_id = _sent(sessions, status="planned")
    assert _apply(sessions, _report(D.FAILED, 2, "30005"), _report(D.SENT, 1)) == [1, 0]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.detail) == ("failed", {"error_code": "30005"})
        assert [e.kind for e in _events(session, interaction_id)] == ["message.failed"]


def test_a_first_receipt_moves_an_attempt_without_status_and_only_delivery_or_failure_is_published(
    sessions: sessionmaker[Session],
) -> None:
    interaction_id = _sent(sessions, status="planned")
    assert _apply(sessions, _report(D.QUEUED, 0)) == [0]  # no status reads as queued already
    assert _apply(sessions, _report(D.SENT, 1)) == [1]
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.delivery_status, row.delivery_updated_at) == ("sent", NOW + timedelta(minutes=1))
        assert _events(session, interaction_id) == []


def test_a_receipt_moves_every_outbound_row_of_its_provider_id_and_no_other(
    sessions: sessionmaker[Session],
) -> None:
    first, second = _sent(sessions), _sent(sessions)
    other_provider = _sent(sessions, provider="vonage")
    other_message = _sent(sessions, "SM2")
    case_id, customer_id = _case_ids(sessions)
    reply = conversation_row(
        case_id=case_id, customer_id=customer_id, channel="sms", at=NOW, provider="twilio",
        provider_id="SM1", transcript="customer: ok", detail={},
    )  # fmt: skip
    with sessions.begin() as session:
        record_rows(session, [reply])
    assert _apply(sessions, _report(D.DELIVERED, 1)) == [2]
    with sessions() as session:
        status = {i: _interaction(session, i).delivery_status for i in (first, second, other_provider)}
        assert status == {first: "delivered", second: "delivered", other_provider: "sent"}
        assert _interaction(session, other_message).delivery_status == "sent"
        assert _interaction(session, reply["id"]).delivery_status is None
        events = session.scalars(select(DomainEvent.entity_id).where(DomainEvent.kind == "message.delivered"))
        assert sorted(events) == sorted([first, second])


def test_a_call_answered_by_a_person_becomes_a_connected_conversation(
    sessions: sessionmaker[Session],
) -> None:
    interaction_id = _sent(sessions, "CA1")
    with sessions.begin() as session:
        note_call(session, "twilio", "CA1", {"answered_by": "machine_start", "status": "ringing"})
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.connected, row.conversation) == (False, False)
    with sessions.begin() as session:
        note_call(session, "twilio", "CA1", {"answered_by": "human", "duration": 42})
    with sessions() as session:
        row = _interaction(session, interaction_id)
        assert (row.connected, row.conversation) == (True, True)
        assert row.detail == {"answered_by": "human", "status": "ringing", "duration": 42}
