"""`arrears strategy validate` names file, line and field; `list` shows the shipped ladders."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app

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
