"""The training corpus of the understanding model: every file it reads, how much each counts, and the
features of each turn prepared exactly as `understand()` prepares them at run time.

Only data/nlu/train/ (our own turns) and data/nlu/public/*/train.jsonl (mapped public corpora, their test
splits never) are read; data/nlu/locked/ is refused by name, so a locked set cannot leak into training.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from arrears.agent.cards import scan
from arrears.agent.classify import classify
from arrears.agent.labels import ESCALATION, Label
from arrears.agent.learned.combiner import featurise
from arrears.agent.learned.encoder import Encoder
from arrears.agent.text import normalise

PUBLIC_WEIGHT = 0.5
"""Banking and billing text is not a debtor's reply: it teaches robustness, our own turns teach the task."""


@dataclass(frozen=True)
class Source:
    path: Path
    weight: float
    own: bool
    sha256: str
    records: int


@dataclass
class Corpus:
    sources: list[Source]
    words: list[str]
    targets: npt.NDArray[np.float64]
    """(turns, labels + 1): each label, then 'any escalation'."""
    weights: npt.NDArray[np.float64]
    own: npt.NDArray[np.bool_]
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    vals: npt.NDArray[np.float64]
    dense: npt.NDArray[np.float64]
    rules: list[tuple[Label, ...]]


def source_files(data: Path) -> list[tuple[Path, float, bool]]:
    own = sorted((data / "train").rglob("*.jsonl"))
    public = sorted((data / "public").glob("*/train.jsonl"))
    files = [(p, 1.0, True) for p in own] + [(p, PUBLIC_WEIGHT, False) for p in public]
    for path, _, _ in files:
        if "locked" in path.parts or path.name.startswith("test"):
            raise ValueError(f"{path}: held-out data must never be trained on")
    if not files:
        raise ValueError(f"{data}: no training files under train/ or public/*/train.jsonl")
    return files


def _records(path: Path) -> list[dict[str, Any]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            labels = [Label(name) for name in record["labels"]]
        except (ValueError, KeyError) as error:
            raise ValueError(f"{path}:{number}: bad training record ({error})") from None
        if not labels or not isinstance(record.get("text"), str):
            raise ValueError(f"{path}:{number}: a record needs text and at least one label")
        out.append(record)
    return out


def prepare(text: str, channel: str) -> tuple[str, tuple[Label, ...]]:
    """A turn's bare words and the rules' labels, as understand() derives them (card data masked first)."""
    norm = normalise(text)
    cards = scan(norm.raw)
    if cards.contains_card:
        norm = normalise(cards.redacted)
    return norm.words, classify(norm.words, channel, contains_card=cards.contains_card)


def build(data: Path, labels: tuple[Label, ...], encoder: Encoder) -> Corpus:
    sources: list[Source] = []
    words: list[str] = []
    rules: list[tuple[Label, ...]] = []
    targets: list[list[float]] = []
    weights: list[float] = []
    own: list[bool] = []
    rows: list[npt.NDArray[np.int64]] = []
    vals: list[npt.NDArray[np.float64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    dense: list[npt.NDArray[np.float32]] = []
    for path, weight, is_own in source_files(data):
        records = _records(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        sources.append(Source(path.relative_to(data), weight, is_own, digest, len(records)))
        for record in records:
            turn_words, turn_rules = prepare(record["text"], record.get("channel", "chat"))
            gold = {Label(name) for name in record["labels"]}
            features = featurise(turn_words, turn_rules, encoder)
            index = len(words)
            words.append(turn_words)
            rules.append(turn_rules)
            targets.append([float(label in gold) for label in labels] + [float(bool(gold & ESCALATION))])
            weights.append(weight)
            own.append(is_own)
            rows.append(np.full(len(features.buckets), index, dtype=np.int64))
            cols.append(features.buckets)
            vals.append(np.full(len(features.buckets), features.value))
            dense.append(features.dense)
    return Corpus(
        sources=sources,
        words=words,
        targets=np.asarray(targets),
        weights=np.asarray(weights),
        own=np.asarray(own),
        rows=np.concatenate(rows),
        cols=np.concatenate(cols),
        vals=np.concatenate(vals),
        dense=np.asarray(dense, dtype=np.float64),
        rules=rules,
    )
