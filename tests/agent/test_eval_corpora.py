"""The issue's targets on the shared evaluation corpora, checked on every CI run.

CI clones the repository with shared/ beside it; elsewhere ARREARS_EVAL_DIR can point at a copy.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from arrears.agent.dates import prepare, resolve_date
from arrears.agent.scoring import load, score

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    *([Path(os.environ["ARREARS_EVAL_DIR"])] if os.environ.get("ARREARS_EVAL_DIR") else []),
    ROOT.parent / "shared" / "eval",
    Path("/work/shared/eval"),
]
EVAL = next((p for p in CANDIDATES if (p / "intents-dev.jsonl").exists()), CANDIDATES[0])
NO_DATE = {"not resolved", "0001-01-01"}  # Recognizers-Text's markers for an impossible date


@pytest.fixture(scope="module")
def corpora() -> Path:
    if not (EVAL / "intents-dev.jsonl").exists():
        where = ", ".join(map(str, CANDIDATES))
        pytest.skip(f"evaluation corpora not found in {where} (set ARREARS_EVAL_DIR)")
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
