"""`arrears strategy validate` names file, line and field; `list` shows the shipped ladders."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.settings import get_settings

runner = CliRunner()


def test_validate_reports_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nversion: 1\ndescription: d\nsteps:\n  - id: a\n    day: 3\n    channel: fax\n"
        "    template: t\n    tone: friendly\n"
    )
    result = runner.invoke(app, ["strategy", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:7: steps[0].channel" in result.output


def test_list_shows_shipped_strategies() -> None:
    result = runner.invoke(app, ["strategy", "list"], env={"COLUMNS": "220"})
    assert result.exit_code == 0
    assert "consumer-overdue" in result.output and "b2b-ladder" in result.output


def test_validate_passes_the_shipped_strategies_for_either_collector_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shipped = sorted(
        str(p) for p in Path(str(resources.files("arrears.strategy") / "library")).glob("*.yaml")
    )
    for kind in ("creditor", "third_party"):
        monkeypatch.setenv("ARREARS_COLLECTOR_KIND", kind)
        get_settings.cache_clear()
        result = runner.invoke(app, ["strategy", "validate", *shipped])
        assert result.exit_code == 0, result.output
        assert result.output.count(": ok (") == len(shipped)
    get_settings.cache_clear()


def test_validate_renders_every_step_and_checks_offers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad-ladder\nversion: 1\ndescription: d\nsteps:\n"
        "  - {id: hello, day: 1, channel: sms, template: consumer/nope, tone: friendly}\n"
        "  - id: half-off\n    day: 5\n    channel: email\n    template: b2b/early-payment-offer\n"
        "    tone: firm\n    offer: {discount_bps: 6000, valid_days: 1}\n"
        "  - id: fixed\n    day: 9\n    channel: email\n    template: b2b/early-payment-offer\n"
        "    tone: firm\n"
        "    conditions: {currencies: [USD], amount_bands: [{currency: USD, min_minor: 5000}]}\n"
        "    offer: {discount_minor: {USD: 5000}, valid_days: 7}\n"
    )
    result = runner.invoke(app, ["strategy", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: step hello: unknown template 'consumer/nope'" in result.output
    assert f"{bad}: step half-off: offer discount of 60% is above the 50% allowed" in result.output
    assert "step half-off: offer valid for 1 day" in result.output
    assert (
        "step fixed: fixed USD discount 5000 is not below the smallest balance of its amount band"
        in result.output
    )
    allowed = runner.invoke(app, ["strategy", "validate", "--max-discount-bps", "6000", str(bad)])
    assert "above the" not in allowed.output


def test_validate_fails_an_unfilled_variable_a_long_subject_and_a_long_sms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates" / "en" / "custom"
    templates.mkdir(parents=True)
    (templates / "typo.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block body %}{{ balanse }}{% endblock %}'
    )
    (templates / "wordy.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block subject %}'
        + "A very long subject line " * 4
        + "{% endblock %}"
        "{% block sms %}"
        + "word " * 80
        + "{% endblock %}{% block sms_short %}"
        + "word " * 70
        + "{% endblock %}{% block sms_min %}"
        + "word " * 65
        + "{% endblock %}"
    )
    monkeypatch.setenv("ARREARS_TEMPLATES_DIR", str(tmp_path / "templates"))
    get_settings.cache_clear()
    strategy = tmp_path / "custom.yaml"
    strategy.write_text(
        "name: custom\nversion: 1\ndescription: d\nsteps:\n"
        "  - {id: typo, day: 1, channel: email, template: custom/typo, tone: friendly}\n"
        "  - {id: wordy-email, day: 2, channel: email, template: custom/wordy, tone: friendly}\n"
        "  - {id: wordy-sms, day: 3, channel: sms, template: custom/wordy, tone: friendly}\n"
    )
    result = runner.invoke(app, ["strategy", "validate", str(strategy)])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "step typo (en-US, person" in result.output and "balanse" in result.output
    assert (
        "step wordy-email (en-US, person" in result.output
        and "email subject of 99 characters" in result.output
    )
    assert (
        "step wordy-sms (en-US, person" in result.output and "SMS of 3 segments (at most 2)" in result.output
    )
