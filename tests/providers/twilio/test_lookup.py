"""`lookup` of a send whose outcome is unknown, through the official SDK against the fake's list endpoints
(Twilio's paging shape): found -> SENT with its SID, the whole window listed and nothing of ours -> FAILED,
two candidates or a listing too long -> None (a person decides), a listing that fails -> ChannelError (asked
again later). On SQLite and PostgreSQL: the action is recalled from the outbox in a short session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from arrears.channels.base import ChannelError, DeliveryStatus
from arrears.core.ids import new_id
from arrears.fakes.twilio import FROM_NUMBER, FakeTwilio, fake_twilio
from arrears.providers.twilio.channels import TwilioMessaging, TwilioVoice
from arrears.providers.twilio.client import make_client
from arrears.providers.twilio.history import recall_send
from arrears.providers.twilio.lookup import MAX_LISTED, PAGE_SIZE
from arrears.store.models import OutboxAction
from tests.conversations.support import NOW
from tests.providers.twilio.support import BASE, CUSTOMER, config, outbound


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with fake_twilio() as running:
        running.now = lambda: NOW + timedelta(minutes=1)
        yield running


def planned(
    sessions: sessionmaker[Session], key: str, *, channel: str = "sms", sid: str | None = None
) -> None:
    """An outbox row as the planner leaves it (and, with `sid`, as a recorded send leaves it)."""
    with sessions.begin() as session:
        session.execute(
            insert(OutboxAction).values(
                id=new_id(), idempotency_key=key, case_id="c1", customer_id="u1", kind="contact",
                step_id=key, channel=channel, destination=CUSTOMER, destination_kind="mobile",
                template="consumer/reminder", payload={}, status="sent" if sid else "unknown",
                not_before=NOW, attempts=1, created_at=NOW, provider_id=sid,
            )
        )  # fmt: skip


def sms(fake: FakeTwilio, sessions: sessionmaker[Session]) -> TwilioMessaging:
    client = make_client(config(fake.url))
    return TwilioMessaging(client, "sms", FROM_NUMBER, BASE, recall=recall_send(sessions))


def test_a_send_that_left_is_found_among_recorded_ones(
    fake: FakeTwilio, sessions: sessionmaker[Session]
) -> None:
    channel = sms(fake, sessions)
    for n in range(PAGE_SIZE):  # earlier sends, each recorded with its SID: the SDK reads two pages
        sid = channel.send(outbound("sms", f"earlier-{n}")).provider_id
        planned(sessions, f"earlier-{n}", sid=sid)
    planned(sessions, "lost")
    left = channel.send(outbound("sms", "lost"))  # Twilio took it; our record of it was lost
    found = channel.lookup("lost")
    assert found is not None and found.status is DeliveryStatus.SENT
    assert found.provider_id == left.provider_id
    listed = [r for r in fake.requests if r.method == "GET"]
    assert listed[0].query["To"] == [CUSTOMER] and listed[0].query["From"] == [FROM_NUMBER]
    assert listed[0].query["DateSent>"] == [NOW.strftime("%Y-%m-%dT00:00:00Z")]
    assert len(listed) == 2 and listed[1].query["Page"] == ["1"]  # next_page_uri followed


def test_a_send_that_never_left_is_failed(fake: FakeTwilio, sessions: sessionmaker[Session]) -> None:
    channel = sms(fake, sessions)
    sid = channel.send(outbound("sms", "recorded")).provider_id
    planned(sessions, "recorded", sid=sid)
    planned(sessions, "lost")
    found = channel.lookup("lost")
    assert found is not None and found.status is DeliveryStatus.FAILED


def test_unsure_when_two_could_be_it_or_the_listing_is_too_long(
    fake: FakeTwilio, sessions: sessionmaker[Session]
) -> None:
    channel = sms(fake, sessions)
    planned(sessions, "lost")
    channel.send(outbound("sms", "lost"))
    channel.send(outbound("sms", "someone-else"))  # sent from our number, recorded nowhere
    assert channel.lookup("lost") is None
    assert channel.lookup("not-in-the-outbox") is None
    fake.messages.extend([fake.messages[-1]] * MAX_LISTED)
    assert channel.lookup("lost") is None


@pytest.mark.parametrize("status", [429, 500])
def test_a_listing_that_fails_is_asked_again(
    fake: FakeTwilio, sessions: sessionmaker[Session], status: int
) -> None:
    planned(sessions, "lost")
    fake.fail_next.append(status)
    with pytest.raises(ChannelError, match="lookup failed"):
        sms(fake, sessions).lookup("lost")


def test_a_call_is_found_by_its_start(fake: FakeTwilio, sessions: sessionmaker[Session]) -> None:
    voice = TwilioVoice(make_client(config(fake.url)), FROM_NUMBER, BASE, recall_send(sessions))
    planned(sessions, "call", channel="voice")
    not_yet = voice.lookup("call")  # nothing listed: the call was never placed
    assert not_yet is not None and not_yet.status is DeliveryStatus.FAILED
    placed = voice.send(outbound("voice", "call"))
    found = voice.lookup("call")
    assert found is not None and (found.status, found.provider_id) == (
        DeliveryStatus.SENT,
        placed.provider_id,
    )
    listed = [r for r in fake.requests if r.method == "GET"][-1]
    assert listed.path.endswith("/Calls.json") and "StartTime>" in listed.query


def test_old_traffic_before_the_action_was_planned_is_not_it(
    fake: FakeTwilio, sessions: sessionmaker[Session]
) -> None:
    channel = sms(fake, sessions)
    fake.now = lambda: NOW - timedelta(hours=3)  # same day, before the row existed
    channel.send(outbound("sms", "yesterday"))
    fake.now = lambda: datetime.now(NOW.tzinfo)
    planned(sessions, "lost")
    found = channel.lookup("lost")
    assert found is not None and found.status is DeliveryStatus.FAILED
