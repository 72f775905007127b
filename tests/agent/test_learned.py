"""The learned fallback (arrears.agent.learned): it loads, it is deterministic, and it keeps what it reached
on sets it never trained on.

Floors: the locked half and the late probe were never in training (bench/train_intents.py reads only
intents-dev, the dev half and its own synthetic sentences). Reached with the committed model: locked half
0.984 main / 1.000 escalation recall / 1.000 precision; late probe 0.841 / 0.957 / 0.917. The floors sit a
little under those, so a retrain that loses generality fails CI; they were not tuned toward.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from arrears.agent import Label, understand
from arrears.agent.labels import ESCALATION
from arrears.agent.learned import Thresholds, load, refine
from arrears.agent.learned.features import featurise, stem
from arrears.agent.learned.model import MODEL_FILE, from_dict
from arrears.agent.scoring import Scores, score
from arrears.agent.scoring import load as load_records

DATA = Path(__file__).parent / "data"
REF = datetime(2026, 3, 4, 10, 0)


def test_model_file_loads_with_every_label_and_sane_thresholds() -> None:
    model = load()
    assert set(model.labels) == set(Label)
    assert 0.0 < model.thresholds.escalation < 1.0
    assert 0.0 < model.thresholds.unclear < 1.0
    assert model.rows
    assert "paraphrases_locked.jsonl" in model.meta["never_trained_on"]
    assert load() is model  # parsed once per process


def test_model_file_is_package_data_json() -> None:
    text = resources.files("arrears.agent.learned").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    assert from_dict(json.loads(text)).thresholds == load().thresholds


def test_same_input_same_output_within_a_process() -> None:
    words = "i was hospitalised last week and can not deal with this"
    first = load().scores(words)
    for _ in range(3):
        again = load().scores(words)
        assert again.probs == first.probs and again.escalation == first.escalation


def test_same_output_across_processes_with_different_hash_seeds() -> None:
    # Features are hashed with CRC-32, not the per-process salted hash(): two processes must agree exactly.
    code = (
        "from arrears.agent.learned import load\n"
        "p = load().scores('we have had to shut the workshop and lay everyone off')\n"
        "print(repr(sorted((k.value, v) for k, v in p.probs.items())), repr(p.escalation))\n"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1


def test_stems_send_inflections_together() -> None:
    assert stem("hospitalised") == stem("hospitalise")
    assert stem("payments") == stem("payment")
    shared = set(featurise("hospitalised")[0]) & set(featurise("hospital")[0])
    assert len(shared) >= 5  # the character pieces of "hospital" are in both


def test_refine_leaves_rule_escalations_and_opt_out_alone() -> None:
    model = load()
    always = Thresholds(escalation=0.0, unclear=0.0)
    assert refine((Label.HARDSHIP,), "i lost my job", model, always) == (Label.HARDSHIP,)
    assert refine((Label.OPT_OUT,), "stop", model, always) == (Label.OPT_OUT,)
    assert refine((Label.UNCLEAR,), "", model, always) == (Label.UNCLEAR,)


def test_refine_adds_an_escalation_only_above_the_threshold() -> None:
    model = load()
    words = "i will pay friday"
    never = Thresholds(escalation=1.01, unclear=1.01)
    assert refine((Label.PROMISE_TO_PAY,), words, model, never) == (Label.PROMISE_TO_PAY,)
    forced = refine((Label.PROMISE_TO_PAY,), words, model, Thresholds(escalation=0.0, unclear=1.01))
    assert Label.PROMISE_TO_PAY in forced and any(label in ESCALATION for label in forced)


@pytest.mark.parametrize(
    "text",
    [
        # Written for this test, in words the rule lexicon does not list.
        "my little boy has been admitted to the childrens ward and i am beside myself",
        pytest.param(
            "the firm that employed me went into meltdown and nobody has been paid since",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known miss: the rules read 'has been paid' as already_paid and the model's "
                "escalation score stays under the threshold",
            ),
        ),
    ],
)
def test_fallback_sends_unlisted_escalations_to_a_person(text: str) -> None:
    rules = understand(text, REF, "sms", fallback=False)
    both = understand(text, REF, "sms")
    assert both.escalation, (text, both.labels)
    assert set(rules.labels) <= set(both.labels) or rules.labels == (Label.UNCLEAR,)


def test_fallback_leaves_slots_and_cards_unchanged() -> None:
    text = "i will pay 40 on friday, card 4111 1111 1111 1111"
    with_model = understand(text, REF, "sms")
    rules = understand(text, REF, "sms", fallback=False)
    assert (with_model.date, with_model.amount, with_model.contains_card, with_model.redacted) == (
        rules.date,
        rules.amount,
        rules.contains_card,
        rules.redacted,
    )


@pytest.fixture(scope="module")
def locked() -> Scores:
    return score(load_records(DATA / "paraphrases_locked.jsonl"))


@pytest.fixture(scope="module")
def late() -> Scores:
    return score(load_records(DATA / "late_probe.jsonl"))


def test_locked_half_floor_with_fallback(locked: Scores) -> None:
    assert locked.main_accuracy >= 0.95
    assert locked.escalation_recall >= 0.97
    assert locked.escalation_precision >= 0.95


def test_late_probe_floor_with_fallback(late: Scores) -> None:
    assert late.n >= 60
    assert late.main_accuracy >= 0.80
    assert late.escalation_recall >= 0.93
    assert late.escalation_precision >= 0.90
