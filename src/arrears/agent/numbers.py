"""Written numbers to digits, so dates and amounts are parsed once, from digits.

Callers speak numbers ("two hundred and fifty", "the fifteenth", "nineteen eighty six", card digits read one
by one); SMS users type them. ``digitise`` rewrites every run of number words into digits in place, keeping
ordinals as ordinals ("fifteenth" -> "15th") so the date grammar can tell a day from a quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_ZERO_WORDS = {"oh", "o"}

_WORD_ALT = "|".join(
    sorted([*UNITS, *TEENS, *TENS, *SCALES, *ORDINALS, "oh", "point"], key=len, reverse=True)
)
_RUN = re.compile(rf"\b(?:{_WORD_ALT})(?:(?:[\s-]+(?:and[\s-]+)?)(?:{_WORD_ALT}))*\b")
_A_SCALE = re.compile(r"\ba (hundred|thousand|million|billion)\b")


def ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


@dataclass(slots=True)
class _Item:
    value: int
    ordinal: bool = False
    digits: str | None = None
    first_kind: str = ""
    scaled: bool = False

    def render(self) -> str:
        if self.digits is not None:
            return self.digits
        return f"{self.value}{ordinal_suffix(self.value)}" if self.ordinal else str(self.value)


def _kind(word: str) -> str:
    if word in UNITS or word in _ZERO_WORDS:
        return "unit"
    if word in TEENS:
        return "teen"
    if word in TENS:
        return "tens"
    if word in SCALES:
        return "scale"
    if word in ORDINALS:
        return "ord"
    return "other"


def _unit_value(word: str) -> int:
    return 0 if word in _ZERO_WORDS else UNITS[word]


def _segment(tokens: list[str]) -> list[_Item]:
    """Split a run of number words into separate numbers where English grammar says a new one starts."""
    items: list[_Item] = []
    cur: int | None = None
    big = 0
    prev = ""
    first = ""
    scaled = False

    def close() -> None:
        nonlocal cur, big, prev, first, scaled
        if cur is not None or big:
            items.append(_Item(big + (cur or 0), first_kind=first, scaled=scaled))
        cur, big, prev, first, scaled = None, 0, "", "", False

    i = 0
    while i < len(tokens):
        word = tokens[i]
        kind = _kind(word)
        if (
            kind == "unit"
            and word in _ZERO_WORDS | {"zero"}
            and i + 1 < len(tokens)
            and _kind(tokens[i + 1]) == "unit"
            and prev in {"teen", "tens"}
        ):
            # "nineteen oh one": a two-digit group read digit by digit.
            close()
            items.append(
                _Item(_unit_value(tokens[i + 1]), digits=f"0{_unit_value(tokens[i + 1])}", first_kind="pair")
            )
            i += 2
            continue
        if kind in {"unit", "teen", "tens"}:
            value = _unit_value(word) if kind == "unit" else (TEENS.get(word) or TENS[word])
            joinable = prev in {"", "scale"} or (prev == "tens" and kind == "unit")
            if not joinable:
                close()
            if not first:
                first = kind
            cur = (cur or 0) + value
            prev = kind
        elif kind == "ord":
            value = ORDINALS[word]
            joinable = prev in {"", "scale"} or (prev == "tens" and value < 10)
            if not joinable:
                close()
            total = big + (cur or 0) + value
            items.append(_Item(total, ordinal=True, first_kind=first or "ord"))
            cur, big, prev, first, scaled = None, 0, "", "", False
        elif kind == "scale":
            scale = SCALES[word]
            scaled = True
            if scale == 100:
                if prev == "scale" and cur is None and big:
                    close()
                cur = (cur or 1) * 100
                prev = "scale"
            else:
                big += (cur or 1) * scale
                cur = None
                prev = "scale"
            if not first:
                first = "scale"
        i += 1
    close()
    return items


def _join_years(items: list[_Item]) -> list[_Item]:
    """ "nineteen eighty six" reads as the year 1986, not as 19 then 86."""
    out: list[_Item] = []
    for item in items:
        if out:
            head = out[-1]
            if (
                not head.ordinal
                and head.digits is None
                and not head.scaled
                and head.value in {17, 18, 19, 20}
                and head.first_kind in {"teen", "tens"}
                and not item.scaled
                and (
                    item.first_kind == "pair"
                    or (10 <= item.value <= 99 and item.first_kind in {"teen", "tens"})
                )
            ):
                head.value = head.value * 100 + item.value
                head.ordinal = item.ordinal
                head.digits = None
                continue
        out.append(item)
    return out


def _join_hundreds(items: list[_Item]) -> list[_Item]:
    """ "two fifty", "one twenty five": a lone digit then a tens number is said for 250 and 125 when the run
    holds nothing else (prices are read this way; a longer run is a list of numbers)."""
    if len(items) != 2:
        return items
    head, tail = items
    if (
        head.first_kind == "unit"
        and 1 <= head.value <= 9
        and not (head.ordinal or head.scaled or tail.ordinal or tail.scaled)
        and head.digits is None
        and tail.first_kind == "tens"
        and 20 <= tail.value <= 99
    ):
        return [_Item(head.value * 100 + tail.value, first_kind="unit", scaled=True)]
    return items


def _convert_run(run: str) -> str:
    tokens = [t for t in re.split(r"[\s-]+", run) if t and t != "and"]
    lead: list[str] = []
    while tokens and tokens[0] in SCALES:
        # "$ 280 million first": a scale with no number before it belongs to digits already written.
        lead.append(tokens.pop(0))
    if lead:
        return " ".join([*lead, _convert_run(" ".join(tokens))]) if tokens else run
    kinds = {_kind(t) for t in tokens}
    if all(t in SCALES for t in tokens) or tokens == ["oh"] or tokens == ["point"]:
        return run
    if len(tokens) >= 2 and kinds == {"unit"}:
        return "".join(str(_unit_value(t)) for t in tokens)
    if "point" in tokens:
        at = tokens.index("point")
        whole = _segment([t for t in tokens[:at] if t != "point"])
        rest = tokens[at + 1 :]
        tail = rest[-1] if rest and rest[-1] in SCALES else ""
        frac = rest[:-1] if tail else rest
        if whole and frac and all(_kind(t) == "unit" for t in frac):
            head = " ".join(item.render() for item in whole[:-1])
            number = f"{whole[-1].value}." + "".join(str(_unit_value(t)) for t in frac)
            return f"{head} {number} {tail}".strip()
        tokens = [t for t in tokens if t != "point"]
    if tokens and tokens[0] in _ZERO_WORDS and len(tokens) == 1:
        return run
    rendered = " ".join(item.render() for item in _join_hundreds(_join_years(_segment(tokens))))
    return rendered or run


def digitise(text: str) -> str:
    """Rewrite number words as digits; everything else is left as it was."""
    text = _A_SCALE.sub(r"one \1", text)
    return _RUN.sub(lambda m: _convert_run(m.group(0)), text)
