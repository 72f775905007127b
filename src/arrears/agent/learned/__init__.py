"""A small learned fallback behind the phrase rules, for the turns the rules cannot read.

Why it exists: the rule lexicon is precise on phrasings like the ones it was written from, but a phrase list
cannot enumerate every way of saying "I'm ill" or "the money is gone", and a missed escalation (a dispute,
a bereavement, a bankruptcy) is the costly error: it must reach a person. A linear model over word pieces
generalises to words the lexicon never listed.

How it is combined (``refine``): the rules stay first and authoritative. The model only

- adds the most probable escalation label when the rules found none and the model's escalation score
  reaches the cross-validated threshold (a false handoff costs a person a minute; a missed one costs far
  more, so the threshold favours recall within a precision budget), and
- replaces the rules' ``unclear`` with its own top label when that is confident enough.

Training, the data it used and how the thresholds were chosen: bench/train_intents.py and the model file's
``meta``. Pure Python, no dependency, deterministic.
"""

from __future__ import annotations

import re

from arrears.agent.classify import classify
from arrears.agent.labels import ESCALATION, Label, rank
from arrears.agent.learned.model import Model, Prediction, Thresholds, load

__all__ = ["Model", "Prediction", "Thresholds", "load", "refine"]

_LETTER = re.compile(r"[^\W\d_]")
_NOT = re.compile(r"\b(?:not|never|no)\b")


def _negated_by_rules(label: Label, words: str, channel: str) -> bool:
    """True when the rules recognised ``label`` and dropped it for a negation ("I do not want to terminate
    the contract"): they would find it with the negation words taken out. A bag of word pieces cannot see
    negation scope, so there the rules' reading stands. Costs one more rule pass, and only when the model
    is about to change the labels of a turn that holds a negation."""
    if _NOT.search(words) is None:
        return False
    return label in classify(" ".join(_NOT.sub(" ", words).split()), channel)


def refine(
    labels: tuple[Label, ...],
    words: str,
    model: Model,
    thresholds: Thresholds | None = None,
    *,
    channel: str = "voice",
) -> tuple[Label, ...]:
    """The rules' labels for a turn, with the model's escalation and ``unclear`` fallback applied.

    ``thresholds`` overrides the model's own (cross-validation uses this to try candidates).
    """
    th = thresholds or model.thresholds
    if labels == (Label.OPT_OUT,) or not _LETTER.search(words):
        # A bare opt-out keyword and a turn without words are fully read by the rules: nothing to add.
        return labels
    if any(label in ESCALATION for label in labels):
        return labels
    prediction = model.scores(words)
    probs = prediction.probs
    added: set[Label] = set()
    if prediction.escalation >= th.escalation:
        best = min(ESCALATION, key=lambda label: (-probs[label], rank(label)))
        if not _negated_by_rules(best, words, channel):
            added.add(best)
    if labels == (Label.UNCLEAR,):
        if added:
            return tuple(sorted(added, key=rank))
        top = min(probs, key=lambda label: (-probs[label], rank(label)))
        confident = top is not Label.UNCLEAR and probs[top] >= th.unclear
        if confident and not _negated_by_rules(top, words, channel):
            return (top,)
        return labels
    if added:
        return tuple(sorted(set(labels) | added, key=rank))
    return labels
