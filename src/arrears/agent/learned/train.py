"""`make model`: train the understanding model from data/nlu and write it into the package, bit for bit.

    python -m arrears.agent.learned.train data/nlu [--check]

Full-batch Adam on weighted logistic loss, one head per label plus a pooled escalation head, from zero
weights for a fixed number of steps: no randomness, so the same data gives the same weights. Thresholds
come from 4-fold cross-validation over our own turns (folds by a hash of the text; public rows stay in
every training fold and are never scored): the escalation threshold is the highest at which out-of-fold
escalation recall is still at least RECALL_TARGET. The weights are rounded to int16 and the header records
every training file's hash, so `--check` can prove the committed artefact is what the data gives.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from arrears.agent.labels import ESCALATION, PRECEDENCE, Label
from arrears.agent.learned.combiner import (
    FORMAT,
    HASH_BITS,
    HEADER_FILE,
    RULE_FEATURES,
    WEIGHTS_FILE,
    Thresholds,
    decide,
)
from arrears.agent.learned.corpus import Corpus, build
from arrears.agent.learned.encoder import DIMENSIONS, ENCODER_NAME, load_encoder

VERSION = "2026.12.03"
LABELS: tuple[Label, ...] = PRECEDENCE
STEPS = 500
RATE = 0.05
L2_SPARSE = 1e-4
L2_DENSE = 1e-3
SCALE = 1024
FOLDS = 4
RECALL_TARGET = 0.95
MAIN_PRECISION = 0.90
PACKAGE = Path(__file__).resolve().parent
Matrix = npt.NDArray[np.float64]


def design(corpus: Corpus) -> Any:
    """The turns' hashed features as a sparse matrix (turns x 2**HASH_BITS); scipy is a training-only
    dependency (the `dev` extra), the run time needs numpy alone."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    shape = (len(corpus.words), 1 << HASH_BITS)
    return csr_matrix((corpus.vals, (corpus.rows, corpus.cols)), shape=shape)


def fit(corpus: Corpus, keep: npt.NDArray[np.bool_]) -> tuple[Matrix, Matrix]:
    """Weights (sparse rows, dense rows) fitted on the turns where `keep` is true."""
    heads = corpus.targets.shape[1]
    features = design(corpus)[np.flatnonzero(keep)]
    transposed = features.T.tocsr()
    sparse = np.zeros((1 << HASH_BITS, heads))
    dense = np.zeros((corpus.dense.shape[1], heads))
    moments = [np.zeros_like(sparse), np.zeros_like(sparse), np.zeros_like(dense), np.zeros_like(dense)]
    x, y = corpus.dense[keep], corpus.targets[keep]
    w = corpus.weights[keep][:, None] / corpus.weights[keep].sum()
    for step in range(1, STEPS + 1):
        z = features @ sparse + x @ dense
        g = (1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))) - y) * w
        grad_sparse = transposed @ g + L2_SPARSE * sparse
        grad_dense = x.T @ g + L2_DENSE * dense
        for weights, grad, (m, v) in (
            (sparse, grad_sparse, moments[:2]),
            (dense, grad_dense, moments[2:]),
        ):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            weights -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return quantised(sparse), quantised(dense)


def quantised(weights: Matrix) -> Matrix:
    return np.clip(np.round(weights * SCALE), -32767, 32767) / SCALE


def probabilities(corpus: Corpus, sparse: Matrix, dense: Matrix, pick: npt.NDArray[np.bool_]) -> Matrix:
    z = design(corpus)[np.flatnonzero(pick)] @ sparse + corpus.dense[pick] @ dense
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def out_of_fold(corpus: Corpus) -> tuple[Matrix, npt.NDArray[np.bool_]]:
    fold = np.asarray([zlib.crc32(w.encode()) % FOLDS for w in corpus.words])
    probs = np.zeros_like(corpus.targets)
    for k in range(FOLDS):
        held = fold == k
        sparse, dense = fit(corpus, ~held)
        probs[held] = probabilities(corpus, sparse, dense, held)
        print(f"  fold {k + 1}/{FOLDS}: {int(held.sum())} turns scored", file=sys.stderr)
    return probs, corpus.own


def choose_thresholds(
    probs: Matrix, targets: Matrix, own: npt.NDArray[np.bool_]
) -> tuple[Thresholds, dict[str, float]]:
    """The highest escalation threshold at which out-of-fold recall on our own turns stays at or above
    RECALL_TARGET (public rows are scored too: their false alarms count against precision), then the lowest
    confidence above which the main label is right MAIN_PRECISION of the time."""
    gold_esc = targets[:, -1] > 0.5
    best = Thresholds(0.05, 0.5, 0.0, 0.025)
    for candidate in np.round(np.arange(0.05, 0.96, 0.01), 2):
        th = Thresholds(float(candidate), 0.5, 0.0, float(candidate) / 2)
        flagged = np.asarray([_escalates(p, th) for p in probs])
        if (flagged & gold_esc & own).sum() >= RECALL_TARGET * (gold_esc & own).sum():
            best = th
    readings = [_reading(p, best) for p in probs]
    right = np.asarray([targets[i, LABELS.index(r.labels[0])] > 0.5 for i, r in enumerate(readings)])
    conf = np.asarray([r.confidence for r in readings])
    confident = 0.0
    for c in np.round(np.arange(0.0, 0.95, 0.05), 2):
        if right[conf >= c].mean() >= MAIN_PRECISION:
            confident = float(c)
            break
    th = Thresholds(best.escalation, 0.5, confident, best.unsure_escalation)
    flagged = np.asarray([_escalates(p, th) for p in probs])
    figures: dict[str, float] = {}
    for name, rows in (("own", own), ("public", ~own)):
        hit = flagged & gold_esc & rows
        figures[f"{name}_escalation_recall"] = round(float(hit.sum() / max((gold_esc & rows).sum(), 1)), 4)
        figures[f"{name}_escalation_precision"] = round(float(hit.sum() / max((flagged & rows).sum(), 1)), 4)
        figures[f"{name}_main_label_accuracy"] = round(float(right[rows].mean()), 4)
        figures[f"{name}_turns"] = int(rows.sum())
    return th, figures


def _reading(p: npt.NDArray[np.float64], th: Thresholds) -> Any:
    return decide({label: float(p[i]) for i, label in enumerate(LABELS)}, float(p[-1]), th)


def _escalates(p: npt.NDArray[np.float64], th: Thresholds) -> bool:
    return bool(set(_reading(p, th).labels) & ESCALATION)


def header(corpus: Corpus, th: Thresholds, figures: dict[str, float], data: Path) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "hash_bits": HASH_BITS,
        "dims": {"embedding": DIMENSIONS, "rules": RULE_FEATURES},
        "encoder": ENCODER_NAME,
        "labels": [label.value for label in LABELS],
        "scale": SCALE,
        "thresholds": {
            "escalation": th.escalation,
            "present": th.present,
            "confident": th.confident,
            "unsure_escalation": th.unsure_escalation,
        },
        "meta": {
            "trained_by": "python -m arrears.agent.learned.train (make model)",
            "data": [
                {"file": str(s.path), "sha256": s.sha256, "records": s.records, "weight": s.weight}
                for s in corpus.sources
            ],
            "hyperparameters": {"steps": STEPS, "rate": RATE, "l2_sparse": L2_SPARSE, "l2_dense": L2_DENSE},
            "cross_validation": {"folds": FOLDS, **figures},
        },
    }


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m arrears.agent.learned.train DATA_DIR [--check]", file=sys.stderr)
        return 2
    data, check = Path(argv[0]), "--check" in argv
    corpus = build(data, LABELS, load_encoder())
    print(f"{len(corpus.words)} turns from {len(corpus.sources)} files", file=sys.stderr)
    probs, scored = out_of_fold(corpus)
    th, figures = choose_thresholds(probs, corpus.targets, scored)
    sparse, dense = fit(corpus, np.ones(len(corpus.words), dtype=bool))
    blob = np.round(np.concatenate([sparse, dense]) * SCALE).astype("<i2").tobytes()
    text = json.dumps(header(corpus, th, figures, data), indent=1, sort_keys=True) + "\n"
    print(json.dumps(figures), file=sys.stderr)
    if check:
        same = (PACKAGE / HEADER_FILE).read_text() == text and (PACKAGE / WEIGHTS_FILE).read_bytes() == blob
        print("the committed model is what the data gives" if same else "MODEL DIFFERS", file=sys.stderr)
        return 0 if same else 1
    (PACKAGE / HEADER_FILE).write_text(text, encoding="utf-8")
    (PACKAGE / WEIGHTS_FILE).write_bytes(blob)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
