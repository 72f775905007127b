"""The outbox is what leaves the building: an action queued twice under one key must still leave once, and a
hold or an opt-out must stop exactly what has not left yet (pending or in review) for the cases, customers,
channel and destination it names, never what a dispatcher holds or what was already sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.outbox import STOPPABLE, OutboxStatus, cancel_for_cases, cancel_for_customers, queue_actions
from arrears.store.models import OutboxAction
from tests.conversations.support import NOW, PHONE

EMAIL = "dana@example.com"


def _action(
    key: str, *, case: str = "case-a", customer: str = "cust-a", channel: str = "sms"
) -> dict[str, Any]:
    """A reply to send, as a writer outside the planner queues it (id, payload, status left to defaults)."""
    return {
        "idempotency_key": key,
        "case_id": case,
        "customer_id": customer,
        "kind": "contact",
        "step_id": "reply",
        "channel": channel,
        "destination": EMAIL if channel == "email" else PHONE,
        "destination_kind": "mobile",
        "template": "payment_link",
        "not_before": NOW,
        "created_at": NOW,
    }


def _seed(sessions: sessionmaker[Session], *rows: tuple[str, dict[str, Any]]) -> None:
    """Queue each action, then put it in the given status as the dispatcher or a person would have."""
    with sessions.begin() as session:
        queue_actions(session, [row for _, row in rows])
    with sessions.begin() as session:
        for status, row in rows:
            action = session.scalars(
                select(OutboxAction).where(OutboxAction.idempotency_key == row["idempotency_key"])
            ).one()
            action.status = status


def _status(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(OutboxAction.idempotency_key, OutboxAction.status)).tuples().all())


def test_only_pending_and_review_can_still_be_stopped() -> None:
    assert STOPPABLE == ("pending", "review")


def test_queued_actions_get_their_own_id_an_empty_payload_and_wait_as_pending(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        queue_actions(session, [_action("k-1"), _action("k-2")])
    with sessions() as session:
        actions = list(session.scalars(select(OutboxAction).order_by(OutboxAction.idempotency_key)))
        assert [a.idempotency_key for a in actions] == ["k-1", "k-2"]
        assert len({a.id for a in actions}) == 2 and all(len(a.id) == 32 for a in actions)
        for action in actions:
            assert (action.status, action.payload, action.attempts) == ("pending", {}, 0)
            assert (action.lease_owner, action.lease_expires_at, action.sent_at, action.provider_id) == (
                None, None, None, None,
            )  # fmt: skip
            assert (action.case_id, action.customer_id, action.channel, action.destination) == (
                "case-a", "cust-a", "sms", PHONE,
            )  # fmt: skip
            assert (action.template, action.not_before, action.created_at) == ("payment_link", NOW, NOW)


def test_queuing_the_same_key_again_keeps_the_one_row_first_queued(sessions: sessionmaker[Session]) -> None:
    first = {**_action("turn-7"), "payload": {"amount": "243.50"}}
    replay = {**_action("turn-7"), "payload": {"amount": "1.00"}, "template": "other"}
    with sessions.begin() as session:
        queue_actions(session, [first])
    with sessions() as session:
        first_id = session.scalars(select(OutboxAction.id)).one()
    with sessions.begin() as session:
        queue_actions(session, [replay])
        queue_actions(session, [replay, {**_action("turn-8"), "payload": {}}])
    with sessions() as session:
        actions = {a.idempotency_key: a for a in session.scalars(select(OutboxAction))}
        assert sorted(actions) == ["turn-7", "turn-8"]
        kept = actions["turn-7"]
        assert (kept.id, kept.template, kept.payload) == (first_id, "payment_link", {"amount": "243.50"})


def test_queuing_no_actions_writes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        queue_actions(session, [])
    assert _status(sessions) == {}


def test_cancel_for_cases_stops_only_unsent_actions_of_those_cases(sessions: sessionmaker[Session]) -> None:
    statuses = [s.value for s in OutboxStatus]
    _seed(
        sessions,
        *((status, _action(f"a-{status}")) for status in statuses),
        ("pending", _action("b-pending", case="case-b")),
        ("review", _action("c-review", case="case-c")),
    )
    with sessions.begin() as session:
        assert cancel_for_cases(session, ["case-a", "case-c"]) == 3
    expected = {f"a-{s}": "cancelled" if s in ("pending", "review") else s for s in statuses}
    assert _status(sessions) == {**expected, "b-pending": "pending", "c-review": "cancelled"}
    with sessions.begin() as session:
        assert cancel_for_cases(session, ["case-a", "case-c"]) == 0  # nothing is stopped twice
        assert cancel_for_cases(session, []) == 0
    assert _status(sessions)["b-pending"] == "pending"


def test_cancel_for_customers_on_every_channel_stops_only_their_unsent_actions(
    sessions: sessionmaker[Session],
) -> None:
    _seed(
        sessions,
        ("pending", _action("a-sms")),
        ("review", _action("a-email", channel="email")),
        ("leased", _action("a-leased")),
        ("sent", _action("a-sent", channel="email")),
        ("pending", _action("a-other-case", case="case-z")),
        ("pending", _action("b-sms", case="case-b", customer="cust-b")),
    )
    with sessions.begin() as session:
        assert cancel_for_customers(session, ["cust-a"], channel=None, destination=None) == 3
        assert cancel_for_customers(session, [], channel=None, destination=None) == 0
    assert _status(sessions) == {
        "a-sms": "cancelled",
        "a-email": "cancelled",
        "a-leased": "leased",
        "a-sent": "sent",
        "a-other-case": "cancelled",
        "b-sms": "pending",
    }


def test_cancel_for_customers_on_one_channel_or_destination_leaves_the_others(
    sessions: sessionmaker[Session],
) -> None:
    other_phone = {**_action("a-sms-other"), "destination": "+12125550199"}
    _seed(
        sessions,
        ("pending", _action("a-sms")),
        ("pending", other_phone),
        ("pending", _action("a-email", channel="email")),
        ("pending", _action("b-sms", case="case-b", customer="cust-b")),
    )
    with sessions.begin() as session:
        assert cancel_for_customers(session, ["cust-a", "cust-b"], channel="sms", destination=PHONE) == 2
    assert _status(sessions) == {
        "a-sms": "cancelled",
        "a-sms-other": "pending",
        "a-email": "pending",
        "b-sms": "cancelled",
    }
    with sessions.begin() as session:
        assert cancel_for_customers(session, ["cust-a"], channel="email", destination=None) == 1
        assert cancel_for_customers(session, ["cust-a"], channel=None, destination="+12125550199") == 1
    assert set(_status(sessions).values()) == {"cancelled"}
