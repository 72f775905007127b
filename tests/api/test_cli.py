"""`arrears api-key create|list|revoke` against each database; the printed key works, then stops working."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from arrears.cli.main import app as cli
from arrears.settings import get_settings
from tests.api.conftest import auth


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """`--database` sets ARREARS_DATABASE_URL for the process tree; keep it from leaking into other tests."""
    saved = os.environ.pop("ARREARS_DATABASE_URL", None)
    get_settings.cache_clear()
    yield
    os.environ.pop("ARREARS_DATABASE_URL", None)
    if saved is not None:
        os.environ["ARREARS_DATABASE_URL"] = saved
    get_settings.cache_clear()


def test_key_lifecycle(database_url: str, client: TestClient) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli, ["api-key", "create", "billing", "--scope", "read", "--database", database_url]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    prefix = token.split("_")[1]
    assert client.get("/v1/cases", headers=auth(token)).status_code == 200
    listed = runner.invoke(cli, ["api-key", "list", "--database", database_url])
    assert prefix in listed.stdout and token not in listed.stdout and "active" in listed.stdout
    revoked = runner.invoke(cli, ["api-key", "revoke", prefix, "--database", database_url])
    assert revoked.exit_code == 0
    assert client.get("/v1/cases", headers=auth(token)).status_code == 401
    again = runner.invoke(cli, ["api-key", "revoke", prefix, "--database", database_url])
    assert again.exit_code == 1


def test_unknown_scope_is_refused(database_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["api-key", "create", "x", "--scope", "admin", "--database", database_url]
    )
    assert result.exit_code != 0 and "admin" in result.output
