"""The learned fallback's weights: loaded once from ``intents_model.json``, scored in pure Python.

The model is one-vs-rest logistic regression (one independent probability per label, because a turn can
carry several labels and the question asked of it is "is this turn *also* a hardship?", not "which single
label is it?"). Weights are stored sparsely per label as integers (scaled by ``scale``), which keeps the
committed file small and makes the arithmetic at run time exact to the stored digits, so every process
gives the same probability for the same text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from arrears.agent.labels import ESCALATION, Label
from arrears.agent.learned.features import BITS, featurise

MODEL_FILE = "intents_model.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Chosen by cross-validation on the training data (bench/train_intents.py records how)."""

    escalation: float
    """Add an escalation label the rules missed when the pooled escalation probability reaches this (the
    label added is the most probable escalation label)."""
    unclear: float
    """Replace the rules' ``unclear`` with the model's top label when its probability reaches this."""


@dataclass(frozen=True, slots=True)
class Prediction:
    probs: dict[Label, float]
    """Probability of each label, independently (one-vs-rest)."""
    pooled: float
    """Probability that the turn carries *any* escalation label, from a head trained on all of them pooled:
    each escalation label alone has a few dozen examples, their union has hundreds."""

    @property
    def escalation(self) -> float:
        """The score compared with the escalation threshold: the mean of the pooled head and the most
        probable single escalation label. The two views err on different turns; in cross-validation their
        mean found about 0.86 of escalating turns at a 2 % false-positive rate, either alone under 0.70."""
        return (self.pooled + max(self.probs[label] for label in ESCALATION)) / 2


ESCALATION_HEAD = "escalation"


@dataclass(frozen=True, slots=True)
class Model:
    labels: tuple[Label, ...]
    rows: dict[int, tuple[tuple[int, float], ...]]
    """bucket -> (head index, weight) pairs: only the heads for which that bucket carries weight. Heads are
    the labels in order, then the pooled escalation head."""
    thresholds: Thresholds
    meta: dict[str, Any]

    def scores(self, words: str) -> Prediction:
        """Probabilities for a turn's bare words (``Normalised.words``)."""
        buckets, value = featurise(words)
        totals = [0.0] * (len(self.labels) + 1)
        rows = self.rows
        for bucket in buckets:
            row = rows.get(bucket)
            if row is not None:
                for index, weight in row:
                    totals[index] += weight
        probs = {label: _sigmoid(total * value) for label, total in zip(self.labels, totals, strict=False)}
        return Prediction(probs, _sigmoid(totals[-1] * value))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def from_dict(data: dict[str, Any]) -> Model:
    """Build a model from its JSON form (also used by training to evaluate exactly what it will commit)."""
    if data.get("format") != FORMAT or data.get("bits") != BITS:
        raise ValueError("intents model: unknown format or feature hashing width")
    labels = tuple(Label(name) for name in data["labels"])
    scale = float(data["scale"])
    gathered: dict[int, list[tuple[int, float]]] = {}
    heads = [label.value for label in labels] + [ESCALATION_HEAD]
    for index, head in enumerate(heads):
        flat: list[int] = data["weights"][head]
        for k in range(0, len(flat), 2):
            gathered.setdefault(flat[k], []).append((index, flat[k + 1] / scale))
    th = data["thresholds"]
    return Model(
        labels=labels,
        rows={bucket: tuple(pairs) for bucket, pairs in gathered.items()},
        thresholds=Thresholds(escalation=float(th["escalation"]), unclear=float(th["unclear"])),
        meta=dict(data.get("meta", {})),
    )


@lru_cache(maxsize=1)
def load() -> Model:
    """The committed model (package data), parsed once per process."""
    text = resources.files("arrears.agent.learned").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return from_dict(json.loads(text))
