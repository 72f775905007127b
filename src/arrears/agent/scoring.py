"""Scoring of ``understand`` against labelled turns (the record format of ../shared/eval/LABELS.md).

One implementation shared by bench/nlu_eval.py and the quality-floor tests, so the figure printed in the
benchmark and the figure CI guards are computed the same way and cannot drift apart.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from arrears.agent.labels import ESCALATION
from arrears.agent.understand import understand

_ESC = frozenset(label.value for label in ESCALATION)


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


@dataclass
class Scores:
    """Counts over one corpus; the ratios are properties so an empty class of turns reads as NaN."""

    n: int = 0
    main_ok: int = 0
    date_ok: int = 0
    amount_ok: int = 0
    esc_tp: int = 0
    esc_fp: int = 0
    esc_fn: int = 0
    card_tp: int = 0
    card_fp: int = 0
    card_fn: int = 0
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    """(text, wanted labels, got labels) of each turn whose main label was wrong."""

    @property
    def main_accuracy(self) -> float:
        return ratio(self.main_ok, self.n)

    @property
    def escalation_recall(self) -> float:
        return ratio(self.esc_tp, self.esc_tp + self.esc_fn)

    @property
    def escalation_precision(self) -> float:
        return ratio(self.esc_tp, self.esc_tp + self.esc_fp)

    @property
    def date_accuracy(self) -> float:
        return ratio(self.date_ok, self.n)

    @property
    def amount_accuracy(self) -> float:
        return ratio(self.amount_ok, self.n)


def score(records: list[dict[str, Any]]) -> Scores:
    s = Scores()
    for r in records:
        u = understand(r["text"], datetime.fromisoformat(r["reference"]), r["channel"])
        got = [label.value for label in u.labels]
        want = list(r["labels"])
        s.n += 1
        if got[0] == want[0]:
            s.main_ok += 1
        else:
            s.misses.append((r["text"], want, got))
        for label in set(got) | set(want):
            if label in got and label in want:
                s.tp[label] += 1
            elif label in got:
                s.fp[label] += 1
            else:
                s.fn[label] += 1
        g_esc, w_esc = bool(set(got) & _ESC), bool(set(want) & _ESC)
        s.esc_tp += g_esc and w_esc
        s.esc_fp += g_esc and not w_esc
        s.esc_fn += w_esc and not g_esc
        s.date_ok += (u.date.isoformat() if u.date else None) == r["date"]
        s.amount_ok += u.amount == r["amount"]
        s.card_tp += u.contains_card and r["contains_card"]
        s.card_fp += u.contains_card and not r["contains_card"]
        s.card_fn += r["contains_card"] and not u.contains_card
    return s
