"""Strategy files: bad ones fail with file, line and field; good ones load with a stable identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.strategy import StrategyError, StrategyLibrary, load_strategy
from arrears.strategy.schema import Channel

GOOD = """\
name: sample
version: 2
description: a sample
steps:
  - id: first
    day: 3
    channel: email
    template: t/first
    tone: friendly
  - id: second
    day: 7
    channel: sms
    template: t/second
    tone: firm
"""


def _issues(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(StrategyError) as caught:
        load_strategy(text, name="bad.yaml")
    assert all(issue.source == "bad.yaml" for issue in caught.value.issues)
    return [(i.line, i.field, i.message) for i in caught.value.issues]


def test_good_file_loads_with_identity() -> None:
    loaded = load_strategy(GOOD)
    assert loaded.key == ("sample", 2)
    assert [s.id for s in loaded.strategy.steps] == ["first", "second"]
    assert loaded.strategy.steps[1].channel is Channel.SMS
    assert loaded.content_hash.startswith("sha256:")


def test_hash_ignores_comments_and_layout_but_not_content() -> None:
    base = load_strategy(GOOD).content_hash
    assert load_strategy("# a comment\n" + GOOD.replace("day: 3", "day:    3   # three")).content_hash == base
    assert load_strategy(GOOD.replace("day: 3", "day: 4")).content_hash != base


def test_unknown_channel_names_line_and_field() -> None:
    [(line, field, message)] = _issues(GOOD.replace("channel: sms", "channel: fax"))
    assert (line, field) == (12, "steps[1].channel")
    assert "'fax'" in message and "email" in message


def test_duplicate_step_ids_point_at_the_second() -> None:
    [(line, field, message)] = _issues(GOOD.replace("id: second", "id: first"))
    assert (line, field) == (10, "steps[1].id")
    assert "duplicate step id 'first'" in message


def test_negative_day() -> None:
    [(line, field, message)] = _issues(GOOD.replace("day: 7", "day: -1"))
    assert (line, field) == (11, "steps[1].day")
    assert "greater than or equal to 0" in message


def test_bad_currency_in_conditions() -> None:
    text = GOOD + "    conditions:\n      currencies: [EUR, XYZ]\n"
    [(line, field, message)] = _issues(text)
    assert (line, field) == (16, "steps[1].conditions.currencies")
    assert "unknown currency 'XYZ'" in message


def test_bad_currency_in_amount_band() -> None:
    text = GOOD + "    conditions:\n      amount_bands:\n        - {currency: EURO, min_minor: 5}\n"
    [(line, field, _)] = _issues(text)
    assert (line, field) == (17, "steps[1].conditions.amount_bands[0].currency")


def test_missing_field_points_at_its_step() -> None:
    [(line, field, message)] = _issues(GOOD.replace("    tone: firm\n", ""))
    assert (line, field) == (10, "steps[1].tone")
    assert "required" in message.lower()


def test_unknown_key_is_refused() -> None:
    [(line, field, _)] = _issues(GOOD.replace("    tone: firm", "    tone: firm\n    chanel: sms"))
    assert (line, field) == (15, "steps[1].chanel")


def test_several_errors_reported_together() -> None:
    issues = _issues(GOOD.replace("day: 7", "day: -1").replace("channel: email", "channel: pigeon"))
    assert [(line, field) for line, field, _ in issues] == [(7, "steps[0].channel"), (11, "steps[1].day")]


def test_duplicate_yaml_key_is_an_error() -> None:
    [(line, field, message)] = _issues(GOOD.replace("    tone: firm", "    tone: firm\n    tone: final"))
    assert (line, field, message) == (15, "steps[1].tone", "key given twice")


def test_invalid_yaml_and_empty_file() -> None:
    [(line, _, message)] = _issues(GOOD.replace("  - id: second", "  - id: [second"))
    assert line is not None and line >= 10 and "not valid YAML" in message
    assert _issues("") == [(None, "", "the file is empty")]
    assert _issues("- just\n- a list\n")[0][2] == "expected a mapping at the top"


def test_stage_rules_and_bad_stage_fields() -> None:
    stage = "    stage:\n      action: handoff\n      team: collections\n"
    issues = _issues(GOOD + stage)
    assert (issues[0][0], issues[0][1]) == (10, "steps[1]")
    assert "channel 'task'" in issues[0][2]
    bad_team = stage.replace("collections", "Collections Team")
    issues = _issues(GOOD.replace("channel: sms", "channel: task") + bad_team)
    assert [(line, field) for line, field, _ in issues] == [(17, "steps[1].stage.team")]


def test_fixed_offer_must_be_priced_in_every_allowed_currency() -> None:
    offer = "    offer:\n      discount_minor: {EUR: 500}\n      valid_days: 7\n"
    [(line, field, message)] = _issues(GOOD + offer)
    assert field == "steps[1].offer.discount_minor" and line == 16
    assert "conditions.currencies" in message
    ok = GOOD + offer + "    conditions:\n      currencies: [EUR]\n"
    assert load_strategy(ok).strategy.steps[1].offer is not None


def test_offer_needs_exactly_one_kind() -> None:
    offer = "    offer:\n      discount_bps: 200\n      discount_minor: {EUR: 5}\n      valid_days: 7\n"
    [(_, field, message)] = _issues(GOOD + offer)
    assert field == "steps[1].offer" and "exactly one" in message


def test_file_errors_name_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace("channel: sms", "channel: fax"))
    with pytest.raises(StrategyError) as caught:
        load_strategy(path)
    assert str(caught.value).splitlines()[1].strip().startswith(f"{path}:12: steps[1].channel:")


def test_both_shipped_strategies_load() -> None:
    library = StrategyLibrary.load()
    assert library.names() == ["b2b-ladder", "consumer-overdue"]
    b2b = library.strategy("b2b-ladder")
    plan = [(s.day, s.channel.value) for s in b2b.ordered_steps if not s.conditions.tiers]
    assert plan == [(3, "email"), (7, "email"), (14, "voice"), (14, "email"), (14, "sms"), (21, "task")]
    assert b2b.steps[1].offer is not None and b2b.steps[1].offer.discount_bps == 200
    consumer = library.strategy("consumer-overdue")
    assert consumer.promise.reminder_days_before == 1
    assert {s.channel for s in consumer.steps} >= {Channel.EMAIL, Channel.SMS, Channel.VOICE, Channel.TASK}


def test_library_adds_a_directory_and_picks_latest(tmp_path: Path) -> None:
    (tmp_path / "v2.yaml").write_text(GOOD)
    (tmp_path / "v3.yml").write_text(GOOD.replace("version: 2", "version: 3"))
    library = StrategyLibrary.load(tmp_path)
    assert library.versions("sample") == [2, 3]
    assert library.get("sample").key == ("sample", 3)
    assert library.get("sample", 2).source.endswith("v2.yaml")
    assert len(library) == 4
    with pytest.raises(KeyError):
        library.get("sample", 9)


def test_library_refuses_same_version_with_different_content(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD.replace("day: 3", "day: 4"))
    with pytest.raises(StrategyError, match="sample version 2 is already defined differently"):
        StrategyLibrary.load(tmp_path, include_shipped=False)
    (tmp_path / "b.yaml").write_text("# same meaning\n" + GOOD)
    assert len(StrategyLibrary.load(tmp_path, include_shipped=False)) == 1


def test_library_reports_errors_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("channel: sms", "channel: fax"))
    (tmp_path / "b.yaml").write_text(GOOD.replace("day: 3", "day: -3"))
    with pytest.raises(StrategyError) as caught:
        StrategyLibrary.load(tmp_path)
    assert sorted(Path(i.source).name for i in caught.value.issues) == ["a.yaml", "b.yaml"]


def test_unknown_catch_up_names_line_and_field() -> None:
    text = GOOD.replace("description: a sample\n", "description: a sample\ncatch_up: whenever\n")
    [(line, field, message)] = _issues(text)
    assert (line, field) == (4, "catch_up")
    assert "all_at_once" in message and "one_day_at_a_time" in message
