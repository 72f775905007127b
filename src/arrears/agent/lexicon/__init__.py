"""The phrase lexicon of the labels, over the ``words`` view (lowercase, contractions expanded, no
punctuation).

Each pattern is a general phrasing of a label built from shared word classes (vocab.py), not a sentence from
any corpus. The tables are split by label group so each file stays readable: paying.py (pay now, promise,
plan, already paid, refuse), escalation.py (the labels that reach a person), talk.py (wrong party, callback,
question, language in English), foreign.py (other languages). ``NEGATABLE`` patterns are cancelled by a
negation just before them ("I'm not disputing it"); patterns that carry their own negation ("not mine") are
not. ``BLOCKERS`` remove a label where a phrase shows the keyword is used in another sense ("my lawyer told
me to pay" is not a legal threat).
"""

from __future__ import annotations

import re

from arrears.agent.labels import Label
from arrears.agent.lexicon.escalation import ESCALATING
from arrears.agent.lexicon.foreign import FOREIGN
from arrears.agent.lexicon.paying import PAYING
from arrears.agent.lexicon.talk import TALK
from arrears.agent.lexicon.vocab import HEDGE_WORDS, MONEY_WORDS, NOT, TIME_CORE, TIME_WORDS, WHEN

__all__ = [
    "AFFIRM_ONLY",
    "AFFIRM_PHRASES",
    "BLOCKERS",
    "CONDITION_CUE",
    "DENY_ONLY",
    "DENY_PHRASES",
    "HEDGE_WORDS",
    "MONEY_WORDS",
    "NEGATABLE",
    "NEGATION_CUE",
    "OPT_OUT_KEYWORDS",
    "PATTERNS",
    "TIME_CORE",
    "TIME_WORDS",
    "WHEN",
]


def _merge(*tables: dict[Label, tuple[str, ...]]) -> dict[Label, tuple[str, ...]]:
    out: dict[Label, tuple[str, ...]] = {}
    for table in tables:
        for label, patterns in table.items():
            out[label] = out.get(label, ()) + patterns
    return out


PATTERNS: dict[Label, tuple[str, ...]] = _merge(PAYING, ESCALATING, TALK, FOREIGN)

NEGATABLE: dict[Label, tuple[str, ...]] = {
    Label.DISPUTE: (r"\bdisput(?:e|ing)\b|\bcontest",),
    Label.BANKRUPTCY: (r"\bbankrupt(?:cy)?\b",),
    Label.REFUSE: (r"\brefus(?:e|ing)\b",),
    Label.HARDSHIP: (r"\bstruggling\b|\bbroke\b|\btight\b",),
    Label.CANCEL_SERVICE: (r"\bcancel|\bclose|\bterminate|\bend\b|\bquit",),
    Label.LEGAL: (r"\bsue|\bcourt\b|\blegal action\b",),
    Label.HUMAN_AGENT: (r"\b(?:manager|supervisor|person|human|someone)\b",),
}
NEGATION_CUE = re.compile(rf"\b{NOT}\b(?:\s+\w+){{0,2}}\s*$")
"""A negation at most two words before a match ("I don't want to cancel", "not going to sue")."""
CONDITION_CUE = re.compile(r"\b(?:if|unless|whether)\b(?:\s+\w+){0,3}\s*$")
"""A condition just before a paying phrase ("will I be charged if I pay next week") is not a promise."""

BLOCKERS: dict[Label, tuple[str, ...]] = {
    # "my lawyer told me to pay", "my brother is a lawyer and says it is legit": advice, not representation.
    Label.LEGAL: (
        r"\b(?:lawyer|attorney|solicitor)\b(?: \w+){0,3} (?:told|said|says|advised|advises)\b",
        r"\b(?:brother|sister|friend|dad|mum|mom|father|mother) is a (?:lawyer|attorney)\b",
    ),
    Label.DISPUTE: (r"\bnot disputing\b", r"\bi am not refusing\b"),
    Label.REFUSE: (r"\bnot refusing\b",),
    Label.BANKRUPTCY: (r"\bnot (?:filing|going) (?:for )?bankrupt",),
}

OPT_OUT_KEYWORDS = frozenset(
    {
        "stop",
        "stop all",
        "stopall",
        "unsubscribe",
        "end",
        "quit",
        "cancel",
        "opt out",
        "optout",
        "revoke",
        "stop please",
        "please stop",
    }
)
AFFIRM_ONLY = frozenset(
    {
        "yes",
        "yeah",
        "yep",
        "yup",
        "ya",
        "yea",
        "sure",
        "ok",
        "okay",
        "correct",
        "right",
        "speaking",
        "si",
        "sí",
        "that is right",
        "that is correct",
        "yes please",
        "indeed",
        "affirmative",
        "yes it is",
        "it is",
        "uh huh",
        "absolutely",
        "definitely",
        "of course",
        "yes correct",
        "that is me",
        "oui",
        "ja",
        "sim",
        "tak",
        "haan",
        "ji",
    }
)
AFFIRM_PHRASES = re.compile(
    r"\b(?:yes|yeah|yep|yup|si|correct)\b.{0,20}\b(?:speaking|this is (?:she|he|him|her|me|[a-z]+)|"
    r"that is (?:me|correct|right)|"
    r"it is me|that is correct|correct|soy yo|go ahead|fine)\b|^(?:speaking|this is (?:she|he|him|her))\b|"
    r"^(?:yep|yes|yeah) (?:that is|thats|it is) me\b|\bsi soy yo\b|^(?:correct|speaking)\b"
)
DENY_ONLY = frozenset(
    {
        "no",
        "nope",
        "nah",
        "no it is not",
        "not me",
        "no thanks",
        "no thank you",
        "incorrect",
        "wrong",
        "no way",
        "negative",
        "not really",
        "no not really",
        "not really no",
        "non",
        "nein",
        "nie",
        "nahi",
    }
)
DENY_PHRASES = re.compile(
    r"^(?:no|nope|nah)\b.{0,12}\b(?:that is not|it is not|this is not|not (?:right|correct|my|me|really))\b|"
    r"\bthat is not (?:right|correct|true|my \w+)\b|\bit is not\b$|^(?:no|nope|nah),? (?:that|it) is not\b|"
    r"^(?:no|nope|nah) (?:that is |it is )?(?:wrong|incorrect)\b"
)
