"""An opt-out is recorded and what it forbids stops queueing, for every case of the customer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.cases.opt_outs import record_opt_out
from arrears.core.ids import new_id
from arrears.store.models import Case, OptOut, OutboxAction
from tests.engine.portfolio import add_debtor, open_cases

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _queued(session: Session, case: Case, channel: str, destination: str, status: str = "pending") -> str:
    key = new_id()
    session.add(
        OutboxAction(
            idempotency_key=key,
            case_id=case.id,
            customer_id=case.customer_id,
            kind="contact",
            step_id=f"{channel}-{destination}",
            channel=channel,
            destination=destination,
            template="t",
            payload={},
            status=status,
            not_before=NOW,
            created_at=NOW,
        )
    )
    return key


def _statuses(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(OutboxAction.idempotency_key, OutboxAction.status)).tuples().all())


def test_a_channel_opt_out_cancels_that_channel_only_and_only_for_that_customer(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=date(2026, 3, 1), mobile="+12125550001")
        add_debtor(session, now=NOW, due_on=date(2026, 3, 1), mobile="+12125550002")
    open_cases(sessions, NOW)
    with sessions.begin() as session:
        mine, theirs = session.scalars(select(Case).order_by(Case.opened_at, Case.id)).all()[:2]
        text = _queued(session, mine, "sms", "+12125550001")
        in_review = _queued(session, mine, "sms", "+12125550001", status="review")
        sent = _queued(session, mine, "sms", "+12125550001", status="sent")
        mail = _queued(session, mine, "email", "debtor@example.com")
        other = _queued(session, theirs, "sms", "+12125550002")
        customer = mine.customer_id
    with sessions.begin() as session:
        record_opt_out(
            session, [customer], channel="sms", destination=None, reason="opt_out", source="test", now=NOW
        )

    assert _statuses(sessions) == {
        text: "cancelled",
        in_review: "cancelled",
        sent: "sent",
        mail: "pending",
        other: "pending",
    }
    with sessions() as session:
        (opt_out,) = session.scalars(select(OptOut)).all()
        assert (opt_out.customer_id, opt_out.channel, opt_out.reason) == (customer, "sms", "opt_out")


def test_a_destination_opt_out_cancels_what_goes_there_on_any_channel(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=date(2026, 3, 1), mobile="+12125550001")
    open_cases(sessions, NOW)
    with sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        text = _queued(session, case, "sms", "+12125550001")
        call = _queued(session, case, "voice", "+12125550001")
        mail = _queued(session, case, "email", "debtor@example.com")
        customer = case.customer_id
    with sessions.begin() as session:
        record_opt_out(
            session,
            [customer],
            channel=None,
            destination="+12125550001",
            reason="wrong_number",
            source="test",
            now=NOW,
        )
    assert _statuses(sessions) == {text: "cancelled", call: "cancelled", mail: "pending"}


def test_the_same_opt_out_recorded_again_from_the_same_source_is_one_row(
    sessions: sessionmaker[Session],
) -> None:
    """A source event applied twice (a replay) records its opt-out once; another source is another row."""
    with sessions.begin() as session:
        add_debtor(session, now=NOW, due_on=date(2026, 3, 1), mobile="+12125550001")
    open_cases(sessions, NOW)
    with sessions() as session:
        customer = session.scalars(select(Case.customer_id)).one()
    for source in ("twilio:SM1", "twilio:SM1", "twilio:SM2"):
        with sessions.begin() as session:
            record_opt_out(
                session,
                [customer],
                channel="sms",
                destination=None,
                reason="revocation",
                source=source,
                now=NOW,
            )
    with sessions() as session:
        assert sorted(session.scalars(select(OptOut.source))) == ["twilio:SM1", "twilio:SM2"]
