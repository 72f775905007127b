"""Detecting revocation keywords in inbound messages, for the handlers that record opt-outs.

The FCC treats STOP, QUIT, END, REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE as revocations per se (FCC 24-24),
so a reply that is one of these words, alone or with a few words of politeness, revokes at once. A keyword
buried in a longer sentence ("I can't stop worrying") is not per se a revocation: the handler should
suppress first and let a person decide (RULES.md), which `looks_like_revocation` flags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_KEYWORDS: tuple[str, ...] = (
    "STOP", "STOPALL", "STOP ALL", "QUIT", "END", "REVOKE", "OPT OUT", "OPTOUT", "OPT-OUT", "CANCEL",
    "UNSUBSCRIBE", "UNSUB",
)  # fmt: skip
_FILLER = {"PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "ME", "IT", "THIS", "TEXTS", "TEXTING",
           "MESSAGES", "CALLS", "CALLING", "EMAILS", "JUST", "OK", "OKAY"}  # fmt: skip
_MEDIUM = {
    "CALLING": "voice", "CALLS": "voice", "CALL": "voice", "PHONING": "voice",
    "TEXTING": "sms", "TEXTS": "sms", "TEXT": "sms", "MESSAGING": "sms", "MESSAGES": "sms", "SMS": "sms",
    "EMAILING": "email", "EMAILS": "email", "EMAIL": "email", "WHATSAPP": "whatsapp",
}  # fmt: skip
_WORDS = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    keyword: str
    per_se: bool  # the message is essentially just the keyword: revoke without asking anyone
    medium: str | None  # "stop texting" names a medium (Reg F 1006.14(h)); None: every medium


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).upper().replace("-", " ")
    return _WORDS.findall(folded)


def detect_revocation(text: str, keywords: Iterable[str] = DEFAULT_KEYWORDS) -> KeywordMatch | None:
    """The first revocation keyword in the message, whether it stands alone, and a medium it names."""
    words = _words(text)
    if not words:
        return None
    joined = " " + " ".join(words) + " "
    found = None
    for keyword in sorted({" ".join(_words(k)) for k in keywords}, key=len, reverse=True):
        if keyword and f" {keyword} " in joined:
            found = keyword
            break
    if found is None:
        return None
    rest = [w for w in (" " + " ".join(words) + " ").replace(f" {found} ", " ", 1).split() if w]
    medium = next((_MEDIUM[w] for w in rest if w in _MEDIUM), None)
    per_se = all(w in _FILLER or w in _MEDIUM for w in rest)
    return KeywordMatch(found, per_se, medium)


def is_revocation(text: str, keywords: Iterable[str] = DEFAULT_KEYWORDS) -> bool:
    """True for a per-se revocation such as "STOP", "stop please" or "Unsubscribe me"."""
    match = detect_revocation(text, keywords)
    return match is not None and match.per_se


def looks_like_revocation(text: str, keywords: Iterable[str] = DEFAULT_KEYWORDS) -> bool:
    """Any keyword at all: suppress first, then a person decides whether it was a revocation."""
    return detect_revocation(text, keywords) is not None
