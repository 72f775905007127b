"""Finding and removing payment card data from what a customer said or typed.

The agent must never take card details over a conversation (PCI DSS scope, and the brief): the number has
to be recognised whether typed ("4111 1111 1111 1111"), dashed, or read out one digit at a time by a
speech recogniser ("four one one one ..."), and so does a security code offered as one ("the code on the
back is one two three"). Only numbers of 13 to 19 digits that pass the Luhn check count as cards, so account
numbers, phone numbers and remittance references are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARD_MASK = "[card number removed]"
CODE_MASK = "[security code removed]"

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "nought": "0",
    # Spanish, said digit by digit as card numbers are read out
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[^\s\w]|_")
_CODE_KEY = re.compile(
    r"\b(?:cvv2?|cvc2?|csc|cid|security code|security number|card code|verification code|"
    r"card verification(?: value| code)?|(?:code|number|digits?) on the back(?: of (?:the|my) card)?|"
    r"(?:three|four|3|4)[ -]digits? (?:code|number|on the back)|"
    r"c[oó]digo (?:de seguridad|de verificaci[oó]n|de (?:atr[aá]s|detr[aá]s)|cvv|cvc)|"
    r"(?:n[uú]meros?|d[ií]gitos) de (?:atr[aá]s|detr[aá]s|seguridad))\b",
    re.IGNORECASE,
)
_CODE_GLUE = {
    "is",
    "it",
    "its",
    "it's",
    "number",
    "the",
    "on",
    "of",
    "back",
    "card",
    "my",
    "code",
    "would",
    "be",
    "that",
    "s",
    "and",
    "digits",
    # Spanish
    "es",
    "son",
    "el",
    "la",
    "los",
    "mi",
    "de",
    "tarjeta",
    "y",
}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """13 to 19 digits, not starting with 0 (no card network issues those), passing Luhn."""
    return digits.isdigit() and 13 <= len(digits) <= 19 and digits[0] != "0" and luhn_ok(digits)


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str
    digits: str | None


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        digits = word if word.isdigit() else _DIGIT_WORDS.get(word.lower())
        out.append(_Tok(m.start(), m.end(), word, digits))
    return out


def _digit_runs(tokens: list[_Tok]) -> list[list[_Tok]]:
    """Maximal runs of digit tokens joined only by spaces, dashes or dots."""
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    for tok in tokens:
        if tok.digits is not None:
            current.append(tok)
        elif tok.text in {"-", "."} and current:
            continue
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    # A lone "oh"/"o" is an exclamation, not a zero.
    return [r for r in runs if not (len(r) == 1 and not r[0].text.isdigit())]


def _card_span(run: list[_Tok]) -> tuple[int, int] | None:
    digits = "".join(t.digits or "" for t in run)
    if is_card_number(digits):
        return run[0].start, run[-1].end
    if len(digits) <= 19:
        return None
    # Longer than a card: the number may be followed (expiry, code) or preceded by other digits.
    for size in range(len(run) - 1, 0, -1):
        for window in (run[:size], run[-size:]):
            joined = "".join(t.digits or "" for t in window)
            if is_card_number(joined):
                return window[0].start, window[-1].end
    return None


def _code_spans(text: str, tokens: list[_Tok]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for key in _CODE_KEY.finditer(text):
        following = [t for t in tokens if t.start >= key.end()]
        collected: list[_Tok] = []
        for tok in following[:12]:
            if tok.digits is not None:
                collected.append(tok)
            elif collected or (tok.text.lower() not in _CODE_GLUE and tok.text not in {":", "=", "-", "#"}):
                break
        digits = "".join(t.digits or "" for t in collected)
        if 3 <= len(digits) <= 4:
            spans.append((collected[0].start, collected[-1].end))
    return spans


@dataclass(frozen=True, slots=True)
class CardScan:
    contains_card: bool
    redacted: str
    card_spans: tuple[tuple[int, int], ...]
    code_spans: tuple[tuple[int, int], ...]


_DIGIT_WORD = re.compile(r"\b(?:" + "|".join(_DIGIT_WORDS) + r")\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _may_hold_card(text: str) -> bool:
    """Cheap test before tokenising: a card needs 13 digits and a code 3, typed or spoken; most turns have
    neither, and this check costs a fraction of the full scan."""
    digits = len(_DIGIT.findall(text))
    if digits >= 13:
        return True
    digits += len(_DIGIT_WORD.findall(text))
    return digits >= 13 or (digits >= 3 and _CODE_KEY.search(text) is not None)


def scan(text: str) -> CardScan:
    """Find card numbers and security codes in ``text`` and return it with them masked."""
    if not _may_hold_card(text):
        return CardScan(False, text, (), ())
    tokens = _tokens(text)
    cards = tuple(span for run in _digit_runs(tokens) if (span := _card_span(run)) is not None)
    codes = tuple(s for s in _code_spans(text, tokens) if not any(c0 <= s[0] < c1 for c0, c1 in cards))
    if not cards and not codes:
        return CardScan(False, text, (), ())
    pieces: list[str] = []
    last = 0
    for start, end, mask in sorted(
        [(s, e, CARD_MASK) for s, e in cards] + [(s, e, CODE_MASK) for s, e in codes]
    ):
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(mask)
        last = end
    pieces.append(text[last:])
    return CardScan(True, "".join(pieces), cards, codes)
