"""The feed carries what a system outside should hear of, from the running product: a case opened and
worked, a message sent, a promise made in a conversation, a payment that keeps it and settles the case."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import Case
from arrears.system import build_system
from tests.conversations.support import NOW, POSTCODE, seed_case
from tests.events.support import payment
from tests.feed.support import settled


def test_a_case_from_opening_to_settlement_is_told_on_the_feed(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = SimulatedClock(NOW)
    system = build_system(Settings(outbox_dir=tmp_path / "out", gate="minimal"), clock=clock, engine=engine)
    case_id = seed_case(sessions)
    with sessions.begin() as session:  # worked before (37 days past due): not handed over at once
        session.execute(update(Case).where(Case.id == case_id).values(completed_steps=["payment-link-sms"]))
    system.worker(worker_id="feed").tick()  # plans the missed steps; the first that can go is sent
    opened = system.inbox.take_now(
        source="terminal", external_id="open:1", kind="chat.open", payload={"case_id": case_id}
    )
    assert opened.result is not None
    conversation = opened.result["conversation_id"]
    for n, words in enumerate(("yes it's me", POSTCODE, "I can pay 243.50 on March 20", "yes")):
        said = {"conversation_id": conversation, "text": words}
        system.inbox.take_now(source="terminal", external_id=f"t{n}", kind="chat.message", payload=said)
    clock.advance(timedelta(days=2))
    body = {
        **payment(1, account="acct-1", amount="243.50"),
        "currency": "USD",
        "received_at": clock.now().isoformat(),
    }
    system.inbox.store(source="api:billing", external_id="pay-1", kind="payment.received", payload=body)
    system.inbox.apply_due()
    with sessions() as session:
        assert session.get(Case, case_id).status == "closed"  # type: ignore[union-attr]
    events = settled(sessions, lambda seen: any(e.kind == "case.closed" for e in seen))
    kinds = [e.kind for e in events if e.case_id == case_id]
    assert kinds[0] == "case.opened"
    for kind in (
        "message.sent",
        "outcome.recorded",
        "promise.made",
        "payment.applied",
        "promise.kept",
        "case.closed",
    ):
        assert kind in kinds, kind
    assert kinds.index("promise.made") < kinds.index("payment.applied") < kinds.index("case.closed")
    outcome = next(e for e in events if e.kind == "outcome.recorded")
    assert outcome.data["routing"] == "booked" and outcome.data["right_party"] is True
    applied = next(e for e in events if e.kind == "payment.applied")
    assert (applied.data["amount_minor"], applied.data["currency"]) == (24350, "USD")
    assert len({e.id for e in events}) == len(events)
