"""An outcome is the structured end of a conversation and is written once per key: a replayed webhook must
find the outcome it already wrote (one row, one `outcome.recorded` event), the row must hold what the
conversation concluded, and `review_reasons` must send to a person exactly what the case's strategy says."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.engine.strategies import register_strategies
from arrears.outcomes import OutcomeSpec, StrategyLookup, record_outcome, review_reasons
from arrears.store.models import Case, DomainEvent, Outcome
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import strategy_lookup
from tests.conversations.support import NOW, seed_case

TODAY = NOW.date()
SHIPPED = StrategyLibrary.load(None)


def _spec(sessions: sessionmaker[Session], key: str = "CA-call-1", **changes: object) -> OutcomeSpec:
    """Dana promised to pay her whole balance in a week, on a call under `key`."""
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        case_id, customer_id = case.id, case.customer_id
    fields: dict[str, object] = {
        "key": key,
        "case_id": case_id,
        "customer_id": customer_id,
        "interaction_id": None,
        "labels": ("promise_to_pay",),
        "urgency": "normal",
        "routing": "booked",
        "next_step": "remind the day before",
        "summary": "Dana will pay 243.50 on the 17th.",
        "currency": "USD",
        "objection": "money is tight",
        "promise_on": date(2026, 3, 17),
        "promise_amount_minor": 24350,
        "right_party": True,
        "confidence": 0.9,
        "model": "2026.12.02+0123456789abcdef",
        "language": "es",
        "conversation_id": "conv-1",
        "channel": "voice",
    }
    fields.update(changes)
    return OutcomeSpec(**fields)  # type: ignore[arg-type]


def _record(sessions: sessionmaker[Session], spec: OutcomeSpec) -> str:
    with sessions.begin() as session:
        return record_outcome(session, spec, NOW)


def _outcome_events(session: Session) -> list[DomainEvent]:
    query = select(DomainEvent).where(DomainEvent.kind == "outcome.recorded").order_by(DomainEvent.seq)
    return list(session.scalars(query))


def test_an_outcome_stores_what_the_conversation_concluded(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    spec = _spec(sessions)
    outcome_id = _record(sessions, spec)
    with sessions() as session:
        row = session.scalars(select(Outcome)).one()
        assert row.id == outcome_id
        assert (row.idempotency_key, row.case_id, row.interaction_id, row.created_at) == (
            "CA-call-1",
            spec.case_id,
            None,
            NOW,
        )
        assert (row.labels, row.urgency, row.routing, row.next_step, row.summary) == (
            ["promise_to_pay"],
            "normal",
            "booked",
            "remind the day before",
            "Dana will pay 243.50 on the 17th.",
        )
        assert (row.objection, row.promise_on, row.promise_amount_minor, row.currency) == (
            "money is tight",
            date(2026, 3, 17),
            24350,
            "USD",
        )
        assert (row.right_party, row.confidence, row.model, row.language) == (
            True,
            0.9,
            "2026.12.02+0123456789abcdef",
            "es",
        )


def test_a_recorded_outcome_is_published_once_with_its_conversation(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    spec = _spec(sessions)
    outcome_id = _record(sessions, spec)
    with sessions() as session:
        [event] = _outcome_events(session)
        assert (event.entity, event.entity_id, event.case_id, event.customer_id, event.occurred_at) == (
            "outcome",
            outcome_id,
            spec.case_id,
            spec.customer_id,
            NOW,
        )
        assert event.data == {
            "routing": "booked",
            "labels": ["promise_to_pay"],
            "urgency": "normal",
            "objection": "money is tight",
            "next_step": "remind the day before",
            "promise_on": "2026-03-17",
            "promise_amount_minor": 24350,
            "currency": "USD",
            "right_party": True,
            "conversation_id": "conv-1",
            "channel": "voice",
            "interaction_id": None,
            "summary": "Dana will pay 243.50 on the 17th.",
            "confidence": 0.9,
            "model": "2026.12.02+0123456789abcdef",
            "language": "es",
        }


def test_recording_the_same_key_again_finds_the_first_outcome_and_publishes_nothing_more(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    first = _record(sessions, _spec(sessions))
    replayed = _spec(sessions, labels=("dispute",), routing="sent_to_review", right_party=False)
    again = _record(sessions, replayed)
    assert again == first
    with sessions() as session:
        row = session.scalars(select(Outcome)).one()
        assert (row.id, row.labels, row.routing, row.right_party) == (
            first,
            ["promise_to_pay"],
            "booked",
            True,
        )
        assert [event.entity_id for event in _outcome_events(session)] == [first]


def test_outcomes_under_different_keys_are_kept_apart(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    first = _record(sessions, _spec(sessions, "CA-call-1"))
    second = _record(sessions, _spec(sessions, "SM-text-1", right_party=None, channel="sms"))
    assert first != second
    with sessions() as session:
        rows = {row.idempotency_key: row for row in session.scalars(select(Outcome))}
        assert (rows["CA-call-1"].id, rows["SM-text-1"].id) == (first, second)
        assert (rows["CA-call-1"].right_party, rows["SM-text-1"].right_party) == (True, None)
        assert [event.entity_id for event in _outcome_events(session)] == [first, second]


def test_long_texts_are_cut_to_their_columns_and_an_empty_objection_is_none(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    long_step, long_summary = "s" * 200, "x" * 5000
    _record(
        sessions, _spec(sessions, "k-long", objection="o" * 100, next_step=long_step, summary=long_summary)
    )
    _record(sessions, _spec(sessions, "k-empty", objection=""))
    with sessions() as session:
        rows = {row.idempotency_key: row for row in session.scalars(select(Outcome))}
        long = rows["k-long"]
        assert (long.objection, long.next_step, long.summary) == ("o" * 64, "s" * 128, "x" * 4000)
        assert rows["k-empty"].objection is None
        data = {event.entity_id: event.data for event in _outcome_events(session)}[long.id]
        assert (data["next_step"], data["summary"]) == ("s" * 128, "x" * 1000)


def _reasons(
    sessions: sessionmaker[Session],
    labels: list[str],
    *,
    lookup: StrategyLookup | None = None,
    promise_on: date | None = None,
    promise_minor: int | None = None,
    confidence: float = 1.0,
) -> tuple[str, ...]:
    with sessions() as session:
        case_id = session.scalars(select(Case.id)).one()
        return review_reasons(
            session,
            case_id,
            labels,
            today=TODAY,
            promise_on=promise_on,
            promise_minor=promise_minor,
            confidence=confidence,
            strategy_for=lookup or strategy_lookup(SHIPPED),
        )


def test_a_trusted_label_with_a_promise_inside_policy_needs_no_review(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)  # consumer-overdue version 1, 243.50 USD
    in_a_week = TODAY + timedelta(days=7)
    assert _reasons(sessions, ["promise_to_pay"], promise_on=in_a_week, promise_minor=24350) == ()
    assert _reasons(sessions, ["callback", "question"]) == ()


def test_labels_the_strategy_does_not_trust_go_to_review(sessions: sessionmaker[Session]) -> None:
    seed_case(sessions)
    assert _reasons(sessions, ["dispute"]) == ("label 'dispute' always goes to review",)
    assert _reasons(sessions, ["promise_to_pay", "invented"]) == (
        "label 'invented' is not listed for automatic completion",
    )
    assert _reasons(sessions, []) == ("no outcome label",)


def test_a_promise_outside_policy_or_an_unsure_reading_goes_to_review(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    too_far, too_small = TODAY + timedelta(days=31), 4000  # over 30 days out; under 20% of 24350
    assert _reasons(sessions, ["promise_to_pay"], promise_on=too_far, promise_minor=too_small) == (
        "policy exception 'promise_too_far'",
        "policy exception 'promise_too_small'",
    )
    assert _reasons(sessions, ["promise_to_pay"], confidence=0.5) == ("low confidence 0.50 < 0.75",)


def test_a_high_value_case_goes_to_review(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    with sessions.begin() as session:
        session.execute(update(Case).where(Case.id == case_id).values(balance_minor=500000))
    assert _reasons(sessions, ["pay_now"]) == ("high value: balance 500000 USD >= 500000",)


def test_a_strategy_unknown_to_the_deployment_is_not_completed_on_its_own(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    reasons = _reasons(sessions, ["promise_to_pay"], lookup=strategy_lookup(StrategyLibrary()))
    assert reasons == ("strategy consumer-overdue version 1 is not registered",)


def test_the_strategy_version_a_worker_recorded_decides_without_the_library(
    sessions: sessionmaker[Session],
) -> None:
    seed_case(sessions)
    with sessions.begin() as session:
        register_strategies(session, SHIPPED, NOW)
    unknown = strategy_lookup(StrategyLibrary())
    assert _reasons(sessions, ["promise_to_pay"], lookup=unknown) == ()
    assert _reasons(sessions, ["dispute"], lookup=unknown) == ("label 'dispute' always goes to review",)
