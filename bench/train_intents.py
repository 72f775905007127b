"""Train the learned fallback of understanding (src/arrears/agent/learned/) and choose its thresholds.

    .venv/bin/python bench/train_intents.py [EVAL_DIR] [--dry-run]

Training data, and nothing else: ``intents-dev.jsonl`` (EVAL_DIR, ../shared/eval by default), the dev half of
the paraphrase sets (tests/agent/data/paraphrases.jsonl) and our own synthetic sentences
(src/arrears/agent/learned/synthetic_train.jsonl, training only, never scored). The locked half and the late
probe are never read here: they measure the result (bench/nlu_eval.py) and must stay unseen.

Model: one-vs-rest logistic regression over hashed features (learned/features.py), trained by plain SGD with
a fixed seed, a fixed number of epochs and a fixed learning-rate schedule, so the same data always gives the
same weights. Pure Python, no numpy: the run takes a few minutes on one core.

Thresholds come from cross-validation over the real training turns, one fold per source file (synthetic
sentences are added to every training fold and never scored). The escalation threshold is the lowest at
which the out-of-fold model flags at most ``FPR_BUDGET`` of non-escalation turns: with roughly one turn in
three escalating, that keeps the combined escalation precision near 0.95 even before the rules' own false
positives, which leaves margin above the 0.90 target for text unlike the training data. The ``unclear``
threshold is the lowest at which the out-of-fold top label is the right main label at least
``UNCLEAR_PRECISION`` of the time.
"""

from __future__ import annotations

import json
import math
import random
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from arrears.agent.cards import scan
from arrears.agent.classify import classify
from arrears.agent.labels import ESCALATION, PRECEDENCE, Label
from arrears.agent.learned import Thresholds, refine
from arrears.agent.learned.features import BITS, featurise
from arrears.agent.learned.model import ESCALATION_HEAD, FORMAT, MODEL_FILE, Model, Prediction, from_dict
from arrears.agent.text import normalise

ROOT = Path(__file__).resolve().parent.parent
LEARNED = ROOT / "src" / "arrears" / "agent" / "learned"
SYNTHETIC = LEARNED / "synthetic_train.jsonl"
DEV_HALF = ROOT / "tests" / "agent" / "data" / "paraphrases.jsonl"

SEED = 20261122
EPOCHS = 30
LEARNING_RATE = 2.0
L2 = 1e-5
SCALE = 1000
KEEP_PER_LABEL = 2500
"""Largest weights kept per label: bounds the file size; cross-validation scores the pruned model."""
FPR_BUDGET = 0.02
UNCLEAR_PRECISION = 0.90
GRID = [round(0.05 + 0.01 * i, 2) for i in range(95)]  # 0.05 .. 0.99
LABELS: tuple[Label, ...] = PRECEDENCE


@dataclass(frozen=True)
class Turn:
    words: str
    labels: tuple[Label, ...]
    rules: tuple[Label, ...]
    real: bool
    source: str
    channel: str
    buckets: tuple[int, ...]
    value: float


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _turn(record: dict[str, Any], real: bool, source: str) -> Turn:
    # The same preparation as understand(): card data masked before the text is read.
    norm = normalise(record["text"])
    cards = scan(norm.raw)
    if cards.contains_card:
        norm = normalise(cards.redacted)
    channel = record.get("channel", "voice")
    rules = classify(norm.words, channel, contains_card=cards.contains_card)
    buckets, value = featurise(norm.words)
    labels = tuple(Label(name) for name in record["labels"])
    return Turn(norm.words, labels, rules, real, source, channel, buckets, value)


def _train(turns: list[Turn]) -> dict[int, list[float]]:
    """One-vs-rest logistic regression by SGD: shuffled with a seeded generator, learning rate decaying as
    1/sqrt(epoch), L2 applied to the weights each example touches."""
    rng = random.Random(SEED)
    width = len(LABELS) + 1  # the labels, then the pooled escalation head
    index = {label: i for i, label in enumerate(LABELS)}
    weights: dict[int, list[float]] = {}
    order = list(range(len(turns)))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        lr = LEARNING_RATE / math.sqrt(1 + epoch)
        for i in order:
            t = turns[i]
            rows = [weights.setdefault(b, [0.0] * width) for b in t.buckets]
            totals = [sum(column) * t.value for column in zip(*rows, strict=True)]
            target = [0.0] * width
            for label in t.labels:
                target[index[label]] = 1.0
            target[-1] = 1.0 if set(t.labels) & ESCALATION else 0.0
            step = [lr * (_sigmoid(z) - y) * t.value for z, y in zip(totals, target, strict=True)]
            decay = 1.0 - lr * L2
            for b, row in zip(t.buckets, rows, strict=True):
                weights[b] = [w * decay - g for w, g in zip(row, step, strict=True)]
    return weights


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _export(weights: dict[int, list[float]], thresholds: Thresholds, meta: dict[str, Any]) -> dict[str, Any]:
    """The JSON form: per label, its KEEP_PER_LABEL largest weights as scaled integers (bucket, weight)."""
    out: dict[str, list[int]] = {}
    for k, head in enumerate([label.value for label in LABELS] + [ESCALATION_HEAD]):
        pairs = [(b, round(row[k] * SCALE)) for b, row in weights.items() if round(row[k] * SCALE) != 0]
        pairs.sort(key=lambda p: (-abs(p[1]), p[0]))
        kept = sorted(pairs[:KEEP_PER_LABEL])
        out[head] = [x for pair in kept for x in pair]
    return {
        "format": FORMAT,
        "bits": BITS,
        "scale": SCALE,
        "labels": [label.value for label in LABELS],
        "thresholds": {"escalation": thresholds.escalation, "unclear": thresholds.unclear},
        "meta": meta,
        "weights": out,
    }


def _model(weights: dict[int, list[float]], thresholds: Thresholds) -> Model:
    return from_dict(_export(weights, thresholds, {}))


def _folds(turns: list[Turn]) -> list[Prediction]:
    """Out-of-fold probabilities of every real turn, one fold per source file.

    Why by source and not at random: the dev half paraphrases intents-dev, so a random split leaves a
    near-twin of most held-out turns in training and overstates how the model does on text written by
    someone else (a random 5-fold split put the false-positive rate at 2 %; the locked half, measured
    once, showed about 7 %). Holding out a whole corpus, written in another sitting, is the closer
    stand-in for an unseen corpus."""
    real = [i for i, t in enumerate(turns) if t.real]
    synthetic = [t for t in turns if not t.real]
    probs: dict[int, Prediction] = {}
    placeholder = Thresholds(0.5, 0.5)
    groups = sorted({turns[i].source for i in real})
    for f, group in enumerate(groups):
        held = {i for i in real if turns[i].source == group}
        train = [turns[i] for i in real if i not in held] + synthetic
        model = _model(_train(train), placeholder)
        for i in held:
            probs[i] = model.scores(turns[i].words)
        print(f"  fold {f + 1}/{len(groups)}: {group} held out, trained on {len(train)}", flush=True)
    return [probs[i] for i in sorted(probs)]


def _esc_curve(real: list[Turn], probs: list[Prediction], t: float) -> tuple[float, float]:
    """Model alone, out of fold: (escalation recall, false-positive rate on non-escalation turns)."""
    tp = fn = fp = neg = 0
    for turn, p in zip(real, probs, strict=True):
        flagged = p.escalation >= t
        if set(turn.labels) & ESCALATION:
            tp += flagged
            fn += not flagged
        else:
            neg += 1
            fp += flagged
    return tp / max(1, tp + fn), fp / max(1, neg)


def _top_precision(real: list[Turn], probs: list[Prediction], t: float) -> tuple[float, int]:
    hits = total = 0
    for turn, pred in zip(real, probs, strict=True):
        p = pred.probs
        top = max(LABELS, key=lambda label: (p[label], -LABELS.index(label)))
        if top is not Label.UNCLEAR and p[top] >= t:
            total += 1
            hits += top is turn.labels[0]
    return hits / max(1, total), total


class _Fixed:
    """A stand-in model that returns stored out-of-fold probabilities, so ``refine`` (the code understand()
    runs) is what the combined cross-validated figures measure."""

    def __init__(self, probs: Prediction, thresholds: Thresholds) -> None:
        self.probs = probs
        self.thresholds = thresholds

    def scores(self, words: str) -> Prediction:
        del words
        return self.probs


def _combined(real: list[Turn], probs: list[Prediction], th: Thresholds) -> dict[str, float]:
    main = tp = fp = fn = 0
    for turn, p in zip(real, probs, strict=True):
        got = refine(turn.rules, turn.words, _Fixed(p, th), th, channel=turn.channel)  # type: ignore[arg-type]
        main += got[0] is turn.labels[0]
        g, w = bool(set(got) & ESCALATION), bool(set(turn.labels) & ESCALATION)
        tp += g and w
        fp += g and not w
        fn += w and not g
    return {
        "main_accuracy": round(main / len(real), 3),
        "escalation_recall": round(tp / max(1, tp + fn), 3),
        "escalation_precision": round(tp / max(1, tp + fp), 3),
    }


def _per_label_recall(real: list[Turn], probs: list[Prediction], t: float) -> dict[str, float]:
    """Per escalation label: the share of its turns the model alone would send to a person."""
    out: dict[str, float] = {}
    for label in sorted(ESCALATION, key=LABELS.index):
        pos = [p for turn, p in zip(real, probs, strict=True) if label in turn.labels]
        out[label.value] = round(sum(p.escalation >= t for p in pos) / max(1, len(pos)), 3)
    return out


def main(argv: list[str]) -> None:
    args = [a for a in argv[1:] if not a.startswith("--")]
    folder = Path(args[0]) if args else ROOT.parent / "shared" / "eval"
    sources = [(folder / "intents-dev.jsonl", True), (DEV_HALF, True), (SYNTHETIC, False)]
    turns = [_turn(r, real, path.name) for path, real in sources for r in _load(path)]
    real = [t for t in turns if t.real]
    print(f"training turns: {len(real)} real, {len(turns) - len(real)} synthetic; CV by source", flush=True)
    probs = _folds(turns)

    print("escalation threshold: model alone, out of fold (recall / FPR on non-escalation turns)")
    esc = GRID[-1]
    for t in GRID[::5]:
        recall, fpr = _esc_curve(real, probs, t)
        print(f"  t={t:.2f}  recall {recall:.3f}  FPR {fpr:.3f}")
    for t in GRID:
        if _esc_curve(real, probs, t)[1] <= FPR_BUDGET:
            esc = t
            break
    unc = GRID[-1]
    for t in GRID:
        if _top_precision(real, probs, t)[0] >= UNCLEAR_PRECISION:
            unc = t
            break
    th = Thresholds(escalation=esc, unclear=unc)
    recall, fpr = _esc_curve(real, probs, esc)
    top_p, top_n = _top_precision(real, probs, unc)
    rules_only = _combined(real, probs, Thresholds(2.0, 2.0))
    combined = _combined(real, probs, th)
    cv = {
        "folds": "by source: intents-dev.jsonl held out, then the dev half held out",
        "real_turns": len(real),
        "escalation_threshold": esc,
        "model_alone_escalation_recall": round(recall, 3),
        "model_alone_escalation_fpr": round(fpr, 3),
        "model_alone_escalation_per_label_recall": _per_label_recall(real, probs, esc),
        "unclear_threshold": unc,
        "model_alone_top_label_precision": round(top_p, 3),
        "model_alone_top_label_coverage": round(top_n / len(real), 3),
        "rules_only": rules_only,
        "rules_plus_model": combined,
    }
    print(json.dumps(cv, indent=2))
    meta = {
        "trained": datetime(2026, 11, 22).date().isoformat(),
        "data": {
            "intents-dev.jsonl": sum(1 for _ in _load(folder / "intents-dev.jsonl")),
            "paraphrases.jsonl (dev half)": sum(1 for _ in _load(DEV_HALF)),
            "synthetic_train.jsonl": len(turns) - len(real),
        },
        "never_trained_on": ["paraphrases_locked.jsonl", "late_probe.jsonl"],
        "hyperparameters": {
            "seed": SEED,
            "epochs": EPOCHS,
            "learning_rate": LEARNING_RATE,
            "l2": L2,
            "keep_per_label": KEEP_PER_LABEL,
            "fpr_budget": FPR_BUDGET,
            "unclear_precision": UNCLEAR_PRECISION,
        },
        "cross_validation": cv,
    }
    if "--dry-run" in argv:
        return
    data = _export(_train(turns), th, meta)
    path = LEARNED / MODEL_FILE
    path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv)
