"""The learned reader of a turn: hashed word pieces, a sentence embedding and the rules' own reading, one
linear head per label, trained together (`make model`, `arrears.agent.learned.train`).

Why a combiner and not rules-then-fallback: the rules are precise on phrasings like the ones they were
written from and blind elsewhere; given as features beside the text, they become evidence the model weighs,
so a rule's false alarm ("my lawyer said I should pay") can be outvoted as well as a miss added. Safety is
kept by the decision, not by the rules: an escalation is added whenever the pooled escalation head reaches
its threshold (chosen for recall), and a reading the model is unsure of is flagged for the dialogue to ask
again rather than proceed.

The weights are int16 (scaled by `scale`) in a raw little-endian file beside a JSON header, so the artefact
is byte-for-byte reproducible and its content hash names exactly the model that read a turn.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from arrears.agent.labels import ESCALATION, PRECEDENCE, Label, rank
from arrears.agent.learned.encoder import DIMENSIONS, Encoder, load_encoder
from arrears.agent.learned.features import feature_names

FORMAT = 2
HASH_BITS = 16
HEADER_FILE = "nlu_model.json"
WEIGHTS_FILE = "nlu_model.bin"
ESCALATION_HEAD = "escalation"
RULE_FEATURES = 2 * len(PRECEDENCE)
"""Which labels the rules found, then which one they made the main label."""


@dataclass(frozen=True, slots=True)
class Features:
    buckets: npt.NDArray[np.int64]
    value: float
    dense: npt.NDArray[np.float32]
    """The embedding, then the rule features, then the bias."""


def hashed(words: str) -> tuple[npt.NDArray[np.int64], float]:
    names = feature_names(words)
    buckets = np.unique(np.asarray([zlib.crc32(n.encode("utf-8")) & ((1 << HASH_BITS) - 1) for n in names]))
    return buckets.astype(np.int64), 1.0 / math.sqrt(len(buckets))


def rule_vector(rules: tuple[Label, ...]) -> npt.NDArray[np.float32]:
    out = np.zeros(RULE_FEATURES, dtype=np.float32)
    for label in rules:
        out[rank(label)] = 1.0
    if rules:
        out[len(PRECEDENCE) + rank(rules[0])] = 1.0
    return out


def featurise(words: str, rules: tuple[Label, ...], encoder: Encoder) -> Features:
    buckets, value = hashed(words)
    dense = np.concatenate([encoder.embed(words), rule_vector(rules), np.ones(1, dtype=np.float32)])
    return Features(buckets, value, dense.astype(np.float32))


@dataclass(frozen=True, slots=True)
class Thresholds:
    escalation: float
    """The pooled escalation head at or above which the turn carries an escalation (chosen for recall)."""
    present: float
    """A label's probability at or above which the turn carries it."""
    confident: float
    """Below this probability of its main label (or with the escalation head between `unsure_escalation`
    and `escalation`), the reading is unsure and the dialogue asks one clarifying question."""
    unsure_escalation: float


@dataclass(frozen=True, slots=True)
class Reading:
    labels: tuple[Label, ...]
    probs: dict[Label, float]
    escalation: float
    confidence: float
    unsure: bool


@dataclass(frozen=True)
class Combiner:
    labels: tuple[Label, ...]
    sparse: npt.NDArray[np.float32]
    """(2**HASH_BITS, heads)"""
    dense: npt.NDArray[np.float32]
    """(DIMENSIONS + RULE_FEATURES + 1, heads)"""
    thresholds: Thresholds
    version: str
    digest: str
    meta: dict[str, Any]

    def logits(self, features: Features) -> npt.NDArray[np.float32]:
        total = self.sparse[features.buckets].sum(axis=0) * features.value
        return np.asarray(total + features.dense @ self.dense, dtype=np.float32)

    def read(self, features: Features) -> Reading:
        z = self.logits(features).astype(np.float64)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        probs = {label: float(p[i]) for i, label in enumerate(self.labels)}
        pooled = float(p[-1])
        return decide(probs, pooled, self.thresholds)


def decide(probs: dict[Label, float], pooled: float, th: Thresholds) -> Reading:
    """Labels from probabilities: every label at or above `present`; an escalation added when the pooled
    head says so and none is present (the most probable escalation label); the most probable label when
    nothing is. The main label is the most decisive present one (PRECEDENCE)."""
    present: set[Label] = {label for label, p in probs.items() if p >= th.present and label != Label.UNCLEAR}
    if pooled >= th.escalation and not present & ESCALATION:
        present.add(max(ESCALATION, key=lambda label: (probs[label], -rank(label))))
    if not present:
        present = {max(probs, key=lambda label: (probs[label], -rank(label)))}
    labels = tuple(sorted(present, key=rank))
    confidence = probs.get(labels[0], 0.0)
    escalating = bool(present & ESCALATION)
    grey = not escalating and th.unsure_escalation <= pooled < th.escalation
    unsure = not escalating and (grey or confidence < th.confident)
    return Reading(labels, probs, pooled, round(confidence, 4), unsure)


def from_files(header: dict[str, Any], blob: bytes) -> Combiner:
    if header.get("format") != FORMAT or header.get("hash_bits") != HASH_BITS:
        raise ValueError("nlu model: unknown format or hashing width; run `make model`")
    labels = tuple(Label(name) for name in header["labels"])
    heads = len(labels) + 1
    rows = (1 << HASH_BITS) + DIMENSIONS + RULE_FEATURES + 1
    weights = np.frombuffer(blob, dtype="<i2")
    if weights.size != rows * heads:
        raise ValueError(f"nlu model: {weights.size} weights, expected {rows * heads}; run `make model`")
    matrix = weights.reshape(rows, heads).astype(np.float32) / float(header["scale"])
    th = header["thresholds"]
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode() + blob).hexdigest()[:16]
    return Combiner(
        labels=labels,
        sparse=np.ascontiguousarray(matrix[: 1 << HASH_BITS]),
        dense=np.ascontiguousarray(matrix[1 << HASH_BITS :]),
        thresholds=Thresholds(
            escalation=float(th["escalation"]),
            present=float(th["present"]),
            confident=float(th["confident"]),
            unsure_escalation=float(th["unsure_escalation"]),
        ),
        version=str(header["version"]),
        digest=digest,
        meta=dict(header.get("meta", {})),
    )


@lru_cache(maxsize=1)
def load_combiner() -> Combiner:
    """The committed model (package data), read once per process."""
    package = resources.files("arrears.agent.learned")
    header = json.loads(package.joinpath(HEADER_FILE).read_text(encoding="utf-8"))
    return from_files(header, package.joinpath(WEIGHTS_FILE).read_bytes())


def encoder() -> Encoder:
    return load_encoder()
