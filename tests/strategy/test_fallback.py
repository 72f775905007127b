"""Fallback channels: the step file's rules, and the pure choice of the channel a step goes on next."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.settings import get_settings
from arrears.strategy import Channel, next_actions
from arrears.strategy.fallback import channel_order, first_reachable, may_fall_back, retries, tried_marker
from arrears.strategy.loader import StrategyError
from arrears.strategy.schema import CONTACT_CHANNELS
from tests.strategy.helpers import DUE, case, local, strategy_from

LADDER = """\
  - {id: nudge, day: 3, channel: whatsapp, template: t, tone: friendly, fallback_channels: [sms, email]}
  - {id: firm, day: 10, channel: email, template: t, tone: firm}
"""
CONTACTS = sorted(CONTACT_CHANNELS)


def test_fallbacks_are_validated_naming_the_field() -> None:
    bad = {
        "[task]": "not a contact channel",
        "[sms, sms]": "listed twice",
        "[whatsapp]": "the step's own channel",
    }
    for value, message in bad.items():
        steps = (
            f"  - {{id: a, day: 1, channel: whatsapp, template: t, tone: firm, fallback_channels: {value}}}"
        )
        steps = steps.replace("tone: firm, ", "tone: firm,\n      ")
        with pytest.raises(StrategyError) as caught:
            strategy_from(steps)
        assert "fallback_channels" in str(caught.value) and message in str(caught.value)
    with pytest.raises(StrategyError, match="fallback_channels"):
        strategy_from("  - {id: a, day: 1, channel: task, template: t, tone: firm, fallback_channels: [sms]}")


def test_the_step_carries_its_fallbacks_and_keys_name_the_channel() -> None:
    strategy = strategy_from(LADDER)
    plan = next_actions(strategy, case(), local(DUE.replace(day=4)))
    (action,) = plan.actions
    assert action.channel is Channel.WHATSAPP
    assert action.fallbacks == (Channel.SMS, Channel.EMAIL)
    assert action.step_channel is Channel.WHATSAPP


def test_a_failed_message_moves_the_step_to_its_next_channel_once() -> None:
    strategy = strategy_from(LADDER)
    now = local(DUE.replace(day=5))
    first = next_actions(strategy, case(), local(DUE.replace(day=4))).actions[0]
    failed = case(completed_step_ids=frozenset({"nudge"}), failed_channels=frozenset({("nudge", "whatsapp")}))
    (again,) = next_actions(strategy, failed, now).actions
    assert (again.step_id, again.channel, again.fallbacks) == ("nudge", Channel.SMS, (Channel.EMAIL,))
    assert again.action_key != first.action_key and "whatsapp message failed" in again.reason
    # The planner recorded the sms send: planning again plans nothing more.
    marked = failed.completed_step_ids | {tried_marker("nudge", Channel.SMS)}
    sent = replace(failed, completed_step_ids=marked)
    assert next_actions(strategy, sent, now).actions == ()
    # The sms failed too: the e-mail is last.
    worse = replace(sent, failed_channels=sent.failed_channels | {("nudge", "sms")})
    assert [a.channel for a in next_actions(strategy, worse, now).actions] == [Channel.EMAIL]


def test_no_fallback_once_the_ladder_moved_on_or_the_case_closed() -> None:
    strategy = strategy_from(LADDER)
    failed = frozenset({("nudge", "whatsapp")})
    moved = case(completed_step_ids=frozenset({"nudge", "firm"}), failed_channels=failed)
    assert retries(strategy, moved) == ()
    settled = case(completed_step_ids=frozenset({"nudge"}), failed_channels=failed, balance_minor=0)
    assert next_actions(strategy, settled, local(DUE.replace(day=5))).actions == ()


channels = st.lists(st.sampled_from(CONTACTS), unique=True, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(order=channels, reachable=st.sets(st.sampled_from(CONTACTS)))
def test_first_reachable_is_the_first_in_order_and_explains_the_rest(
    order: list[Channel], reachable: set[Channel]
) -> None:
    chosen, skipped = first_reachable(tuple(order), {c: c in reachable for c in order})
    hits = [c for c in order if c in reachable]
    assert chosen == (hits[0] if hits else None)
    assert len(skipped) == (order.index(chosen) if chosen else len(order))
    assert all("no deliverable destination" in why for why in skipped)


@settings(max_examples=200, deadline=None)
@given(order=channels, failures=st.integers(min_value=0, max_value=6))
def test_each_channel_at_most_once_and_in_order(order: list[Channel], failures: int) -> None:
    """Whatever fails, replanning walks the fallbacks in order, never the same channel twice."""
    own, rest = order[0], order[1:]
    listed = ", ".join(c.value for c in rest)
    strategy = strategy_from(
        f"  - {{id: s, day: 1, channel: {own.value}, template: t, tone: firm, fallback_channels: [{listed}]}}"
    )
    step = strategy.steps[0]
    view = case(completed_step_ids=frozenset({"s"}))
    used = [own]
    for _ in range(failures):
        view = replace(view, failed_channels=view.failed_channels | {("s", used[-1].value)})
        found = retries(strategy, view)
        if len(used) == len(channel_order(step)):
            assert found == ()
            break
        (retry,) = found
        used.append(retry.channel)
        marker = tried_marker("s", retry.channel)
        view = replace(view, completed_step_ids=view.completed_step_ids | {marker})
        assert retries(strategy, view) == ()  # planned once: not again until it fails too
    assert used == list(channel_order(step))[: len(used)]


def test_validate_renders_a_step_on_each_of_its_fallback_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An e-mail's words that would leave as a text on fallback are held to the SMS length too."""
    templates = tmp_path / "templates" / "en" / "custom"
    templates.mkdir(parents=True)
    (templates / "wordy.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block body %}Pay now.{% endblock %}'
        "{% block sms %}"
        + "word " * 80
        + "{% endblock %}{% block sms_short %}"
        + "word " * 70
        + "{% endblock %}"
        "{% block sms_min %}" + "word " * 65 + "{% endblock %}"
    )
    monkeypatch.setenv("ARREARS_TEMPLATES_DIR", str(tmp_path / "templates"))
    get_settings.cache_clear()
    strategy = tmp_path / "custom.yaml"
    strategy.write_text(
        "name: custom\nversion: 1\ndescription: d\nsteps:\n"
        "  - {id: hello, day: 2, channel: email, template: custom/wordy, tone: friendly,\n"
        "     fallback_channels: [sms]}\n"
    )
    result = CliRunner().invoke(app, ["strategy", "validate", str(strategy)])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "step hello@sms (en-US" in result.output and "step hello (" not in result.output


@settings(max_examples=200, deadline=None)
@given(done=st.sets(st.sampled_from(["nudge", "firm", "nudge@sms", "other"])), failed=st.booleans())
def test_failures_are_read_exactly_when_a_step_could_fall_back(done: set[str], failed: bool) -> None:
    """The planner's filter never hides a retry the pure rule would plan."""
    strategy = strategy_from(LADDER)
    pairs = frozenset({("nudge", "whatsapp"), ("nudge", "sms")}) if failed else frozenset()
    view = case(completed_step_ids=frozenset(done), failed_channels=pairs)
    if retries(strategy, view):
        assert may_fall_back(strategy, done)
    assert may_fall_back(strategy, done) == ("nudge" in done and "firm" not in done)
