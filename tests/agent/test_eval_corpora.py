"""The issue's targets on the shared evaluation corpora, checked on every CI run.

CI clones the repository with shared/ beside it; a developer without it can point ARREARS_EVAL_DIR at a copy.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from arrears.agent.dates import prepare, resolve_date
from arrears.agent.scoring import load, score

ROOT = Path(__file__).resolve().parents[2]
EVAL = Path(os.environ.get("ARREARS_EVAL_DIR", ROOT.parent / "shared" / "eval"))
NO_DATE = {"not resolved", "0001-01-01"}  # Recognizers-Text's markers for an impossible date


@pytest.fixture(scope="module")
def corpora() -> Path:
    if not (EVAL / "intents-dev.jsonl").exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"evaluation corpora not found at {EVAL}")
        pytest.skip(f"evaluation corpora not found at {EVAL} (set ARREARS_EVAL_DIR)")
    return EVAL


def test_intent_targets(corpora: Path) -> None:
    scores = score(load(corpora / "intents-dev.jsonl"))
    assert scores.main_accuracy >= 0.90
    assert scores.escalation_recall >= 0.98
    assert scores.escalation_precision >= 0.90
    assert scores.card_fn == 0 and scores.card_fp == 0


def test_date_target_on_recognizers_text(corpora: Path) -> None:
    records = load(corpora / "dates-recognizers-text.jsonl")
    right = 0
    for record in records:
        expected = None if record["expected"] in NO_DATE else record["expected"]
        got = resolve_date(prepare(record["text"]), datetime.fromisoformat(record["reference"]).date())
        right += (got.isoformat() if got else None) == expected
    assert right / len(records) >= 0.95
