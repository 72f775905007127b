"""One path for a customer's words: the same sentence means the same thing whether Twilio carried it or
another system relayed it through the events API, because both reach the same handler and decision table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import Conversation, Hold, OptOut, OutboxAction, Outcome, Task
from arrears.system import System, build_system
from tests.conversations.support import NOW, PHONE, seed_case


@pytest.fixture
def system(engine: Engine, tmp_path: Path) -> System:
    settings = Settings(
        outbox_dir=tmp_path / "out", twilio_auth_token="t", public_base_url="https://x.example"
    )
    return build_system(settings, clock=SimulatedClock(NOW), engine=engine)


def _by_twilio(system: System, text: str, sid: str) -> None:
    form = {"MessageSid": sid, "From": PHONE, "To": "+15005550006", "Body": text}
    system.inbox.store(source="twilio", external_id=sid, kind="twilio.message", payload=form)


def _by_api(system: System, text: str, sid: str) -> None:
    event = {"type": "message.received", "message_id": sid, "channel": "sms", "sender": PHONE, "text": text}
    system.inbox.store(source="api:relay", external_id=sid, kind="message.received", payload=event)


def _effects(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        return {
            "opt_outs": sorted((o.channel, o.reason) for o in session.scalars(select(OptOut))),
            "holds": sorted((h.kind, h.scope, h.channel) for h in session.scalars(select(Hold))),
            "tasks": sorted(t.reason for t in session.scalars(select(Task))),
            "replies": sorted(
                (o.template, o.payload["purpose"]) for o in session.scalars(select(OutboxAction))
            ),
            "routing": sorted(o.routing for o in session.scalars(select(Outcome))),
        }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Stop texting" bars that medium (Reg F 1006.14(h)): an opt-out of texts, whichever way it came.
        ("please stop texting me", {"opt_outs": [("sms", "revocation")], "holds": [], "tasks": []}),
        (
            "can you stop sending these at night",
            {"opt_outs": [], "holds": [("review", "channel", "sms")], "tasks": ["possible_revocation"]},
        ),
        ("STOP", {"opt_outs": [("sms", "revocation")], "holds": [], "tasks": []}),
        (
            "I never ordered this, it is not my debt",
            {"opt_outs": [], "holds": [("dispute", "case", None)], "tasks": ["dispute"]},
        ),
    ],
    ids=["stop-texting", "stop-in-a-sentence", "stop", "dispute"],
)
def test_the_same_words_do_the_same_through_either_entrance(
    sessions: sessionmaker[Session], system: System, text: str, expected: dict[str, Any]
) -> None:
    seed_case(sessions)
    seen = []
    for deliver in (_by_twilio, _by_api):
        deliver(system, text, f"m-{deliver.__name__}")
        assert system.inbox.apply_due() == 1
        effects = _effects(sessions)
        seen.append(effects)
        for name, value in expected.items():
            assert effects[name] == value, (deliver.__name__, name)
        # Start the next entrance from the same state: undo what the first did.
        with sessions.begin() as session:
            for model in (OptOut, Hold, Task, OutboxAction, Outcome, Conversation):
                session.query(model).delete()
    assert seen[0] == seen[1]


def test_a_dispute_by_text_is_answered_and_escalated_once(
    sessions: sessionmaker[Session], system: System
) -> None:
    seed_case(sessions)
    _by_api(system, "I never ordered this, it is not my debt", "m1")
    _by_api(system, "I never ordered this, it is not my debt", "m1")  # the relay retried
    system.inbox.apply_due()
    effects = _effects(sessions)
    assert effects["tasks"] == ["dispute"] and effects["routing"] == ["escalated"]
    assert effects["replies"] == [("conversation-reply", "reply")]
