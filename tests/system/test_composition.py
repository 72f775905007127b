"""The composition root is the one place that reads settings and picks implementations: nothing below it
imports it or the settings, the packages form no import circle, and what settings name is what runs
(the LLM backend, Twilio's webhooks, the gate)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.compliance.minimal import MinimalGate
from arrears.conversations.reading import read_locally
from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import Outcome, Task
from arrears.system import build_system
from tests.conversations.support import NOW, seed_case
from tests.fakes.openai_api import FakeOpenAI, fake_openai

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears"
#: Above the root: the command line and the demo build the system; the root itself; settings' own module.
ABOVE_THE_ROOT = ("cli", "demo", "system", "settings.py")


def _imports() -> Iterator[tuple[str, str]]:
    """(module, imported module) for every import in the package, wherever it stands in the file."""
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(("arrears", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield module, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, alias.name


def test_nothing_below_the_root_reads_settings_or_imports_the_root() -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, target in _imports()
        if target.startswith(("arrears.settings", "arrears.system"))
        and not module.removeprefix("arrears.").startswith(ABOVE_THE_ROOT)
    )
    assert offenders == []


def test_the_packages_form_no_import_circle() -> None:
    """Package to package (arrears.<package>), every import counted, even one inside a function."""
    edges: dict[str, set[str]] = {}
    for module, target in _imports():
        if not target.startswith("arrears."):
            continue
        source, dest = module.split(".")[1], target.split(".")[1]
        if source != dest:
            edges.setdefault(source, set()).add(dest)
    circles = []
    for start in edges:
        stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, ()):
                if nxt == start:
                    circles.append(" -> ".join((*path, start)))
                elif nxt not in path:
                    stack.append((nxt, (*path, nxt)))
    assert circles == []


@pytest.fixture
def llm() -> Iterator[tuple[FakeOpenAI, str]]:
    with fake_openai() as running:
        yield running


def test_the_llm_backend_named_in_settings_understands_the_customers_words(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path, llm: tuple[FakeOpenAI, str]
) -> None:
    """ARREARS_LLM_* is wired: a turn the rules read as unclear reaches a person because the model, asked
    over HTTP as an OpenAI-compatible server, heard a dispute."""
    fake, url = llm
    fake.reply = {"labels": ["dispute"]}
    settings = Settings(
        outbox_dir=tmp_path / "out", llm_url=url, llm_model="local-model", llm_api_key="sk-local"
    )
    system = build_system(settings, clock=SimulatedClock(NOW), engine=engine)
    case_id = seed_case(sessions)
    opened = system.inbox.take_now(
        source="terminal", external_id="open:1", kind="chat.open", payload={"case_id": case_id}
    )
    assert opened.result is not None
    said = {
        "conversation_id": opened.result["conversation_id"],
        "text": "the amount on that bill looks off somehow",
    }
    system.inbox.take_now(source="terminal", external_id="t1", kind="chat.message", payload=said)
    headers, body = fake.requests[-1]
    assert headers["Authorization"] == "Bearer sk-local" and body["model"] == "local-model"
    with sessions() as session:
        assert session.scalars(select(Task.reason)).all() == ["dispute"]
        assert session.scalars(select(Outcome.routing)).one() == "escalated"


def test_without_an_llm_the_local_reading_alone_decides(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    system = build_system(Settings(outbox_dir=tmp_path / "out"), clock=SimulatedClock(NOW), engine=engine)
    assert [offer.name for offer in system.offers] == ["local"]
    assert system.conversations.understand is read_locally  # no second opinion is asked for


def test_settings_choose_the_gate_and_twilio_only_answers_webhooks_without_an_account(
    engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(outbox_dir=tmp_path / "out", gate="minimal", twilio_auth_token="secret")
    system = build_system(settings, clock=SimulatedClock(NOW), engine=engine)
    assert isinstance(system.gate, MinimalGate)
    assert [offer.name for offer in system.offers] == ["local", "twilio"]
    assert {name: type(c).__module__ for name, c in system.channels.items()}["sms"].endswith("local.sinks")
    assert {"twilio.message", "twilio.call.turn", "message.received", "payment.received"} <= set(
        system.handlers
    )


def test_the_send_margin_in_settings_reaches_the_dispatcher(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path / "out", lease_seconds=90, send_margin_seconds=75)
    worker = build_system(settings, clock=SimulatedClock(NOW), engine=engine).worker("w1")
    assert worker.dispatcher.margin.total_seconds() == 75
    default = build_system(Settings(outbox_dir=tmp_path / "out", lease_seconds=90), engine=engine)
    assert default.worker("w2").dispatcher.margin.total_seconds() == 45
    with pytest.raises(ValueError, match=r"ARREARS_SEND_MARGIN_SECONDS .* must be below ARREARS_LEASE"):
        Settings(lease_seconds=60, send_margin_seconds=60)


def test_the_identity_attempt_limit_in_settings_reaches_the_agent(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path / "out", agent_identity_attempts=5, agent_identity_window_hours=2)
    config = build_system(settings, engine=engine).conversations.config
    assert (config.identity_attempts, config.identity_window.total_seconds()) == (5, 7200)
