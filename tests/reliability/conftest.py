"""The reliability suite's shared portfolio and its clean run, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash_support import Contacts, reference, write_portfolio

CASES = 40


@pytest.fixture(scope="session")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Contacts]:
    """The import file (40 New York State consumers) and what a run that never crashes sends for it."""
    root = tmp_path_factory.mktemp("reference")
    file = write_portfolio(root / "portfolio.csv", CASES)
    return file, reference(root, file)
