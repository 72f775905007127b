"""From a normalised turn to its labels, main label first.

Matching is by the phrase lexicon (lexicon.py); this module adds what a flat lexicon cannot: negation
("I'm not disputing it"), channel rules (a bare STOP is an SMS opt-out keyword but a plea on a call), the
relations between labels (a plan request subsumes the promise inside it; a wrong party cannot dispute a debt
that is not theirs), and the precedence that picks the main label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from arrears.agent.labels import Label, rank
from arrears.agent.lexicon import (
    AFFIRM_ONLY,
    AFFIRM_PHRASES,
    BLOCKERS,
    CONDITION_CUE,
    DENY_ONLY,
    DENY_PHRASES,
    HEDGE_WORDS,
    MONEY_WORDS,
    NEGATABLE,
    NEGATION_CUE,
    OPT_OUT_KEYWORDS,
    PATTERNS,
    TIME_CORE,
    TIME_WORDS,
)

_TEXT_CHANNELS = frozenset({"sms", "whatsapp", "rcs", "mms"})
_NEGATED_BY_CUE = frozenset({Label.PROMISE_TO_PAY, Label.PAY_NOW, Label.CALLBACK, Label.CANCEL_SERVICE})
_NOW = re.compile(
    r"\b(?:now|link|details|card|immediately|straight away|right away|in one go|online|today|this minute)\b"
)
_LATER = re.compile(
    r"\b(?:tomorrow|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|end of|week|month|"
    r"\d{1,2}(?:st|nd|rd|th))\b"
)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One label's patterns: ``gate`` is their union, searched first so a label that cannot match costs one
    regex search instead of one per pattern (most labels match nothing in most turns)."""

    gate: re.Pattern[str]
    patterns: tuple[re.Pattern[str], ...]
    negatable: tuple[re.Pattern[str], ...]
    blockers: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Label, _Compiled], ...]:
    out = []
    for label, pats in PATTERNS.items():
        out.append(
            (
                label,
                _Compiled(
                    gate=re.compile("|".join(f"(?:{p})" for p in pats)),
                    patterns=tuple(re.compile(p) for p in pats),
                    negatable=tuple(re.compile(p) for p in NEGATABLE.get(label, ())),
                    blockers=tuple(re.compile(p) for p in BLOCKERS.get(label, ())),
                ),
            )
        )
    return tuple(out)


def _matches(label: Label, c: _Compiled, words: str) -> bool:
    if c.gate.search(words) is None:
        return False
    if any(b.search(words) for b in c.blockers):
        return False
    for pattern in c.patterns:
        for m in pattern.finditer(words):
            before = words[: m.start()]
            if label is Label.PROMISE_TO_PAY and CONDITION_CUE.search(before):
                continue
            if NEGATION_CUE.search(before) is not None and (
                label in _NEGATED_BY_CUE or any(n.search(m.group(0)) for n in c.negatable)
            ):
                continue
            return True
    return False


def _bare_time_answer(words: str) -> bool:
    """A short turn that is only a (hedged) time, perhaps with an amount ("maybe next month, not sure", "£50
    friday"): the answer to "when can you pay?", the question the agent asks where such turns arrive."""
    tokens = words.split()
    if not tokens or len(tokens) > 9 or not any(t in TIME_CORE or t[:1].isdigit() for t in tokens):
        return False
    rest = [t for t in tokens if t not in HEDGE_WORDS]
    return bool(rest) and all(
        t in TIME_WORDS or t in MONEY_WORDS or t[:1].isdigit() or t[:1] in "$£€" for t in rest
    )


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
        if not _NOW.search(words):
            # "I'd like to pay it off over six months": the wish to pay is the plan, not a payment now.
            found.discard(Label.PAY_NOW)
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
        now = _NOW.search(words) and not _LATER.search(words)
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
    found = {label for label, compiled in _compiled() if _matches(label, compiled, bare)}
    found |= _conversational(bare)
    if contains_card and Label.ALREADY_PAID not in found:
        found.add(Label.PAY_NOW)
    found = _relate(found, bare)
    if not found:
        # Nothing more specific: a leading yes/no still answers the question that was asked.
        first = bare.split()[0]
        if first in {"ok", "okay"} and re.search(r"\b(?:bye|goodbye|cheers)\b", bare):
            return (Label.UNCLEAR,)
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
        if _bare_time_answer(bare):
            return (Label.PROMISE_TO_PAY,)
        return (Label.UNCLEAR,)
    return tuple(sorted(found, key=rank))
