"""From a normalised turn to its labels, main label first.

Matching is by the phrase lexicon (lexicon.py); this module adds what a flat lexicon cannot: negation
("I'm not disputing it"), channel rules (a bare STOP is an SMS opt-out keyword but a plea on a call), the
relations between labels (a plan request subsumes the promise inside it; a wrong party cannot dispute a debt
that is not theirs), and the precedence that picks the main label.
"""

from __future__ import annotations

import re
from functools import lru_cache

from arrears.agent.labels import Label, rank
from arrears.agent.lexicon import (
    AFFIRM_ONLY,
    AFFIRM_PHRASES,
    BLOCKERS,
    DENY_ONLY,
    DENY_PHRASES,
    NEGATABLE,
    NEGATION_CUE,
    OPT_OUT_KEYWORDS,
    PATTERNS,
)

_TEXT_CHANNELS = frozenset({"sms", "whatsapp", "rcs", "mms"})
_NEGATED_BY_CUE = frozenset({Label.PROMISE_TO_PAY, Label.PAY_NOW, Label.CALLBACK})


@lru_cache(maxsize=1)
def _compiled() -> dict[Label, tuple[re.Pattern[str], ...]]:
    return {label: tuple(re.compile(p) for p in pats) for label, pats in PATTERNS.items()}


@lru_cache(maxsize=1)
def _compiled_aux() -> tuple[
    dict[Label, tuple[re.Pattern[str], ...]], dict[Label, tuple[re.Pattern[str], ...]]
]:
    neg = {label: tuple(re.compile(p) for p in pats) for label, pats in NEGATABLE.items()}
    block = {label: tuple(re.compile(p) for p in pats) for label, pats in BLOCKERS.items()}
    return neg, block


def _matches(label: Label, words: str) -> bool:
    negatable, blockers = _compiled_aux()
    if any(b.search(words) for b in blockers.get(label, ())):
        return False
    for pattern in _compiled()[label]:
        for m in pattern.finditer(words):
            negated = NEGATION_CUE.search(words[: m.start()]) is not None
            if negated and (
                label in _NEGATED_BY_CUE or any(n.search(m.group(0)) for n in negatable.get(label, ()))
            ):
                continue
            return True
    return False


def _conversational(words: str) -> set[Label]:
    found: set[Label] = set()
    if words in AFFIRM_ONLY or AFFIRM_PHRASES.search(words):
        found.add(Label.AFFIRM)
    if words in DENY_ONLY or DENY_PHRASES.search(words):
        found.add(Label.DENY)
    return found


def _relate(found: set[Label], words: str) -> set[Label]:
    if Label.PAYMENT_PLAN in found:
        found.discard(Label.PROMISE_TO_PAY)
    if Label.WRONG_PARTY in found:
        found.discard(Label.DISPUTE)
    if found & {Label.DISPUTE, Label.HARDSHIP}:
        found.discard(Label.REFUSE)
    if Label.REFUSE in found:
        found.discard(Label.PROMISE_TO_PAY)
        if words.split()[0] in {"no", "nope", "nah"}:
            found.discard(Label.DENY)
    if Label.ALREADY_PAID in found and not re.search(r"\b(?:rest|remaining|remainder|balance)\b", words):
        found.discard(Label.PROMISE_TO_PAY)
    if Label.PAY_NOW in found and Label.PROMISE_TO_PAY in found:
        # "send me the link and I'll pay it now" is paying now; "I want to pay on Friday" is a promise.
        now = re.search(r"\b(?:now|link|details|card)\b", words)
        found.discard(Label.PROMISE_TO_PAY if now else Label.PAY_NOW)
    if (
        Label.BANKRUPTCY in found
        and Label.LEGAL in found
        and not re.search(r"\b(?:lawyers?|attorneys?|solicitors?|counsel|court|sue)\b", words)
    ):
        found.discard(Label.LEGAL)
    if Label.CEASE_CONTACT in found:
        found.discard(Label.CALLBACK)
    if Label.DECEASED in found and Label.WRONG_PARTY in found:
        found.discard(Label.WRONG_PARTY)
    return found


def classify(words: str, channel: str, *, contains_card: bool = False) -> tuple[Label, ...]:
    """Labels of one turn, main label first; ``(unclear,)`` when nothing is recognised."""
    bare = words.strip()
    if not bare or not re.search(r"[^\W\d_]", bare):
        return (Label.PAY_NOW,) if contains_card else (Label.UNCLEAR,)
    if bare in OPT_OUT_KEYWORDS or bare.replace("please", "").strip() in OPT_OUT_KEYWORDS:
        if channel.lower() in _TEXT_CHANNELS:
            return (Label.OPT_OUT,)
        if bare != "cancel":
            return (Label.CEASE_CONTACT,)
    found = {label for label in PATTERNS if _matches(label, bare)}
    found |= _conversational(bare)
    if contains_card and Label.ALREADY_PAID not in found:
        found.add(Label.PAY_NOW)
    found = _relate(found, bare)
    if not found:
        # Nothing more specific: a leading yes/no still answers the question that was asked.
        first = bare.split()[0]
        if first in {
            "yes",
            "yeah",
            "yep",
            "yup",
            "sure",
            "correct",
            "ok",
            "okay",
            "absolutely",
            "definitely",
        }:
            return (Label.AFFIRM,)
        if first in {"no", "nope", "nah"}:
            return (Label.DENY,)
        return (Label.UNCLEAR,)
    return tuple(sorted(found, key=rank))
