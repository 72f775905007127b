"""How many SMS segments a text costs (3GPP TS 23.038), and the one rewrite carriers accept to save some.

A text in the GSM-7 alphabet fits 160 septets in one segment, 153 per segment once split (the rest carry
the concatenation header); characters of the extension table (``{ } [ ] ~ \\ | ^ €`` and form feed) take two
septets. One character outside GSM-7 switches the whole text to UCS-2: 70 UTF-16 units, 67 per segment.
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

#: Most messages may use at most this many segments (cost, and carriers' filtering of long texts).
MAX_SEGMENTS = 2

#: Characters outside GSM-7 that a reader recognises in their GSM-7 form (carriers' "smart encoding").
_LOOKALIKES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u00b7": "-",
}


def is_gsm7(text: str) -> bool:
    """Whether every character has a GSM-7 encoding (basic or extension table)."""
    return all(c in _BASIC or c in _EXTENSION for c in text)


def septets(text: str) -> int:
    """GSM-7 length: extension characters count twice."""
    return sum(2 if c in _EXTENSION else 1 for c in text)


def utf16_units(text: str) -> int:
    """UCS-2/UTF-16 length: characters outside the basic plane (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """Segments the text costs; 0 for an empty text."""
    if not text:
        return 0
    if is_gsm7(text):
        size, single, multi = septets(text), 160, 153
    else:
        size, single, multi = utf16_units(text), 70, 67
    return 1 if size <= single else math.ceil(size / multi)


def encoding(text: str) -> str:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def gsm7_lookalike(text: str) -> str:
    """The text with typographic quotes, dashes and accents GSM-7 lacks (á, í, ó, ú, ...) replaced by
    their plain forms, so a Spanish text is not billed at UCS-2 rates for one accent; characters GSM-7
    has (é, ñ, ü, ¿, ¡) are kept as they are."""
    out = []
    for c in text:
        if c in _BASIC or c in _EXTENSION:
            out.append(c)
        elif c in _LOOKALIKES:
            out.append(_LOOKALIKES[c])
        else:
            plain = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
            out.append(plain if plain and is_gsm7(plain) else c)
    return "".join(out)
