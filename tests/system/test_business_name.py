"""No message leaves unsigned: without ARREARS_BUSINESS_NAME the composition root refuses to build, the
worker, serve and chat say which variable to set and exit 2; the demo signs with a name that says it is one;
the old ARREARS_AGENT_BUSINESS_NAME still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli.chat_store import run
from arrears.cli.main import app
from arrears.demo.run import DEMO_BUSINESS_NAME, demo_settings
from arrears.settings import Settings, get_settings
from arrears.system import build_system
from arrears.system.errors import BusinessNameMissing, ConfigError

runner = CliRunner()
NAMES = ("ARREARS_BUSINESS_NAME", "ARREARS_AGENT_BUSINESS_NAME")


@pytest.fixture
def unnamed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A deployment without a business name, on its own SQLite file."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read
    url = f"sqlite:///{tmp_path / 'unnamed.db'}"
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_root_refuses_to_build_without_a_business_name(unnamed: str) -> None:
    with pytest.raises(BusinessNameMissing, match="set ARREARS_BUSINESS_NAME") as raised:
        build_system(Settings(database_url=unnamed))
    assert isinstance(raised.value, ConfigError)
    with pytest.raises(BusinessNameMissing):
        build_system(Settings(database_url=unnamed, business_name="   "))


@pytest.mark.parametrize("command", [["worker", "--once"], ["serve"]])
def test_worker_and_serve_say_which_variable_to_set_and_exit_2(unnamed: str, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--database", unnamed])
    assert result.exit_code == 2, result.output
    assert "ARREARS_BUSINESS_NAME" in result.output and "Traceback" not in result.output


def test_chat_on_a_stored_case_refuses_too(unnamed: str) -> None:
    assert run("any-account", Settings(database_url=unnamed), "chat", read=lambda: "") == 2


def test_the_old_variable_and_the_new_one_both_name_the_business(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARREARS_AGENT_BUSINESS_NAME", "Old Name Ltd")
    assert Settings().business_name == "Old Name Ltd"
    monkeypatch.setenv("ARREARS_BUSINESS_NAME", "New Name Ltd")
    assert Settings().business_name == "New Name Ltd"
    assert Settings(business_name="Given Ltd").agent_business_name == "Given Ltd"


def test_the_demo_signs_with_a_demo_name_unless_one_is_configured(unnamed: str) -> None:
    assert demo_settings(Settings(database_url=unnamed)).business_name == DEMO_BUSINESS_NAME
    assert "(demo)" in DEMO_BUSINESS_NAME
    named = Settings(database_url=unnamed, business_name="Brightwater Energy")
    assert demo_settings(named).business_name == "Brightwater Energy"
    system = build_system(demo_settings(Settings(database_url=unnamed)))
    try:
        assert system.messages.business.name == DEMO_BUSINESS_NAME
    finally:
        system.dispose()
