"""The running product writes back: settings name a webhook endpoints file and a Slack URL, the composition
root offers their destinations, and the worker's tick delivers after its other stages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.fakes import slack as fake_slack
from arrears.fakes import webhooks as fake_webhooks
from arrears.settings import Settings
from arrears.system import build_system
from arrears.system.errors import ConfigError
from arrears.tasks.service import TaskSpec, open_task
from tests.conversations.support import NOW
from tests.writeback.support import feed_ids, seed_payments, visible


def settings(engine: Engine, tmp_path: Path, **extra: object) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url, outbox_dir=tmp_path / "outbox", **extra)  # type: ignore[arg-type]


def test_the_worker_tick_writes_back_to_every_configured_destination(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    receiver = fake_webhooks.start(config_dir=tmp_path, name="erp")
    slack = fake_slack.start()
    try:
        env = {**receiver.env, **slack.env}
        configured = settings(
            engine, tmp_path, webhook_endpoints=env["ARREARS_WEBHOOK_ENDPOINTS"], slack_webhook_url=slack.url
        )
        system = build_system(configured, clock=SimulatedClock(NOW), engine=engine)
        names = [d.name for o in system.offers for d in o.destinations]
        assert names == ["webhook:erp", "slack"]
        case_id, _ = seed_payments(sessions, 2)
        with sessions.begin() as session:
            for n, reason in enumerate(("dispute", "hardship")):
                spec = TaskSpec(f"wiring-{n}", case_id, reason, "the customer disputes the fee")
                open_task(session, spec, actor="test", now=NOW)
        visible(sessions)
        seeded = feed_ids(sessions)
        stats = system.worker("test-worker").tick()
        assert stats.writeback.delivered >= len(seeded)
        assert set(seeded) <= set(receiver.ids())  # every event, in commit order
        assert receiver.ids() == feed_ids(sessions)[: len(receiver.ids())]
        (alert,) = slack.messages  # both tasks in one message, nothing for routine events
        assert alert["text"] == "2 tasks need a person"
    finally:
        receiver.stop()
        slack.stop()


def test_a_wrong_endpoints_file_stops_the_start_naming_the_setting(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text("- name: erp\n  url: https://erp.example.com\n  secrets: [nope]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ARREARS_WEBHOOK_ENDPOINTS: .*endpoints.yaml:3: \[0\].secrets"):
        build_system(settings(engine, tmp_path, webhook_endpoints=path), engine=engine)


def test_without_destinations_the_worker_has_no_writeback(engine: Engine, tmp_path: Path) -> None:
    system = build_system(settings(engine, tmp_path), clock=SimulatedClock(NOW), engine=engine)
    assert system.worker("test-worker").writeback is None
