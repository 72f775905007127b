"""Spacing: when a message of one case may leave, given the case's earlier messages (strategy/spacing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.strategy.schema import Spacing
from arrears.strategy.spacing import NO_SPACING, spaced_until
from tests.strategy.helpers import strategy_from

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
H = timedelta(hours=1)
DEFAULT = Spacing()


def test_first_message_of_a_case_goes_at_once() -> None:
    assert spaced_until(DEFAULT, "email", [], NOW) is None
    assert spaced_until(DEFAULT, "email", [], NOW, late=True) is None


def test_one_message_per_channel_per_day() -> None:
    sent = [("sms", NOW - 30 * H), ("email", NOW - 30 * H), ("email", NOW - 2 * H)]
    assert spaced_until(DEFAULT, "email", sent, NOW) == NOW + 22 * H
    assert spaced_until(DEFAULT, "sms", sent, NOW) is None  # another channel, on time: the same day is fine


def test_the_first_message_goes_alone() -> None:
    only = [("email", NOW - 3 * H)]
    assert spaced_until(DEFAULT, "voice", only, NOW) == NOW + 21 * H
    alone_off = DEFAULT.model_copy(update={"first_contact_alone": False})
    assert spaced_until(alone_off, "voice", only, NOW) is None


def test_late_steps_leave_a_day_after_the_last_message_of_any_channel() -> None:
    sent = [("email", NOW - 50 * H), ("sms", NOW - 5 * H)]
    assert spaced_until(DEFAULT, "voice", sent, NOW) is None  # on time: the channels may share a day
    assert spaced_until(DEFAULT, "voice", sent, NOW, late=True) == NOW + 19 * H


def test_any_channel_gap_and_no_spacing() -> None:
    sent = [("email", NOW - 50 * H), ("sms", NOW - 5 * H)]
    wide = DEFAULT.model_copy(update={"any_channel_hours": 48})
    assert spaced_until(wide, "voice", sent, NOW) == NOW + 43 * H
    assert spaced_until(NO_SPACING, "sms", sent, NOW, late=True) is None


def test_spacing_is_read_from_the_strategy_file_with_defaults() -> None:
    step = "  - {id: hello, day: 1, channel: email, template: t, tone: friendly}"
    strategy = strategy_from(step, "spacing: {same_channel_hours: 48}\n")
    assert strategy.spacing == Spacing(same_channel_hours=48)
    assert strategy.catch_up == "current_step"


instants = st.integers(min_value=-24 * 60 * 10, max_value=24 * 60).map(lambda m: NOW + timedelta(minutes=m))
channels = st.sampled_from(["email", "sms", "voice", "letter"])
spacings = st.builds(
    Spacing,
    same_channel_hours=st.integers(0, 72),
    any_channel_hours=st.integers(0, 72),
    late_step_hours=st.integers(0, 72),
    first_contact_alone=st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(
    spacing=spacings,
    channel=channels,
    sent=st.lists(st.tuples(channels, instants), max_size=6),
    late=st.booleans(),
)
def test_the_answer_is_a_later_instant_that_itself_is_allowed(
    spacing: Spacing, channel: str, sent: list[tuple[str, datetime]], late: bool
) -> None:
    """Either it may leave now, or at a later instant when it may, and never closer to an earlier message
    of its channel than `same_channel_hours`."""
    until = spaced_until(spacing, channel, sent, NOW, late=late)
    if until is None:
        at = NOW
    else:
        assert until > NOW
        assert spaced_until(spacing, channel, sent, until, late=late) is None
        at = until
    for previous, when in sent:
        if previous == channel and when <= at:
            assert at - when >= timedelta(hours=spacing.same_channel_hours)
