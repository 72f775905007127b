"""Money named in a turn: "$1,234.56", "two hundred fifty", "£48.60", "1.2 million", "USD 200".

The text is first digitised (numbers.digitise) so this module only sees digits. Currency words and symbols
are replaced by placeholders, then a small token walk pairs numbers with currencies. A bare number with no
currency only counts where the sentence is about paying ("I can pay two hundred on Friday"), so counts,
times and invoice numbers are not mistaken for money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from arrears.agent.currencies import CODES, DOLLAR, GLUED, MEGA, NO_ISO, PHRASES, SCALES, SYMBOLS
from arrears.core.money import currency_exponent, is_currency

_FRACTIONS = (
    (re.compile(r"\b(?:a )?half (?=million|billion|thousand)"), "0.5 "),
    (re.compile(r"\b(?:a )?quarter (?=million|billion|thousand)"), "0.25 "),
    (re.compile(r"\b3 quarters? (?=million|billion|thousand)"), "0.75 "),
)
_NUMBER = r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"¤(?P<cur>[A-Z\-]+)/(?P<div>\d+|M)¤|(?P<num>{_NUMBER})|(?P<word>[a-z]+)|(?P<punct>\S)")

# Bare numbers count as money only after these (within three words) ...
_MONEY_VERBS = frozenset(
    [
        "pay",
        "paid",
        "paying",
        "send",
        "sent",
        "sending",
        "do",
        "transfer",
        "transferred",
        "wire",
        "wired",
        "afford",
        "owe",
        "owed",
        "give",
        "put",
        "offer",
        "manage",
        "settle",
        "have",
        "amount",
        "total",
        "balance",
        "spare",
        "make",
        "accept",
        "manage",
        "clear",
        "cover",
        "deposit",
        "remit",
    ]
)
# ... and only when followed by one of these (or nothing).
_AFTER_BARE = frozenset(
    [
        "on",
        "by",
        "in",
        "at",
        "today",
        "tomorrow",
        "tonight",
        "now",
        "a",
        "per",
        "each",
        "every",
        "this",
        "next",
        "before",
        "after",
        "when",
        "and",
        "to",
        "then",
        "so",
        "but",
        "or",
        "please",
        "thanks",
        "if",
        "until",
        "till",
        "from",
        "starting",
        "right",
        "max",
        "maximum",
        "more",
        "towards",
        "toward",
        "off",
        "is",
        "was",
        "for",
        "end",
        "latest",
        "tops",
        "upfront",
        "first",
        "once",
        "as",
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
        "tmrw",
        "asap",
        "within",
    ]
)
_NOT_BEFORE = frozenset(
    [
        "chapter",
        "inv",
        "invoice",
        "po",
        "number",
        "no",
        "ref",
        "reference",
        "account",
        "at",
        "after",
        "around",
        "about",
        "ending",
        "#",
        "page",
        "line",
    ]
)


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None
    """ISO 4217 code, or None when the text names no currency we can map to one."""


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    cur: str = ""
    div: int = 1


_PHRASE_RES = tuple((re.compile(rf"(?<![a-z]){p}(?![a-z])"), f" ¤{code}/{div}¤ ") for p, code, div in PHRASES)
_PHRASE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _PHRASE_RES))
"""One scan deciding whether any currency word is present; most turns name none."""
CODES_RE = re.compile(rf"(?<![a-z])({'|'.join(CODES)})(?![a-z])")


def _mark_currencies(text: str) -> str:
    text = GLUED.sub(lambda m: f" {m.group(0)} ", text)
    text = MEGA.sub(lambda m: f" ¤{m.group(1).upper()}/M¤ ", text)
    for pattern, repl in _FRACTIONS:
        text = pattern.sub(repl, text)
    if _PHRASE_ANY.search(text) is not None:
        for phrase, marker in _PHRASE_RES:
            text = phrase.sub(marker, text)
    text = CODES_RE.sub(lambda m: f" ¤{m.group(1).upper()}/1¤ ", text)
    for symbol, code in SYMBOLS.items():
        if symbol in text:
            text = text.replace(symbol, f" ¤{code}/1¤ ")
    # "12-cent", "one-yen": a hyphen between a number and its unit.
    return re.sub(r"(?<=\d)-(?= ¤)", " ", text)


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(_mark_currencies(text)):
        if m.group("cur"):
            div = m.group("div")
            out.append(_Tok("cur", m.group(0), m.group("cur"), 0 if div == "M" else int(div)))
        elif m.group("num"):
            out.append(_Tok("num", m.group("num")))
        elif m.group("word"):
            word = m.group("word")
            out.append(_Tok("scale" if word in SCALES else ("and" if word == "and" else "word"), word))
        else:
            out.append(_Tok("punct", m.group("punct")))
    return out


def _value(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _number_at(tokens: list[_Tok], i: int) -> tuple[Decimal, int] | None:
    """A number at ``i`` with an optional scale word; returns (value, index after)."""
    if i >= len(tokens) or tokens[i].kind != "num":
        return None
    value = _value(tokens[i].text)
    if value is None:
        return None
    j = i + 1
    if j < len(tokens) and tokens[j].kind == "scale":
        value *= SCALES[tokens[j].text]
        j += 1
    return value, j


def _cents_after(tokens: list[_Tok], j: int, whole: Decimal) -> Decimal:
    """ "15 dollars 50", "13 dollars and 45 cents": a trailing number under 100 is the cents."""
    if whole != whole.to_integral_value():
        return whole
    k = j + 1 if j < len(tokens) and tokens[j].kind == "and" else j
    if k >= len(tokens) or tokens[k].kind != "num" or "." in tokens[k].text or "," in tokens[k].text:
        return whole
    cents = int(tokens[k].text)
    if cents >= 100:
        return whole
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    if nxt is None or nxt.kind == "punct" or (nxt.kind == "cur" and nxt.div == 100) or nxt.text == "more":
        return whole + Decimal(cents) / 100
    return whole


def _scaled(cur: _Tok, value: Decimal) -> Decimal:
    if cur.div == 0:  # "MUSD 30": millions
        return value * 1_000_000
    return value / cur.div


def _currency_after(tokens: list[_Tok], j: int) -> int | None:
    """Index of a currency right after a number, allowing one adjective ("420 million finnish markka")."""
    if j < len(tokens) and tokens[j].kind == "cur":
        return j
    if (
        j + 1 < len(tokens)
        and tokens[j].kind == "word"
        and len(tokens[j].text) > 3
        and tokens[j + 1].kind == "cur"
    ):
        return j + 1
    return None


def _explicit(tokens: list[_Tok]) -> Amount | None:
    for i, tok in enumerate(tokens):
        if tok.kind == "cur" and (found := _number_at(tokens, i + 1)) is not None:
            value, j = found
            if tok.div == 1:
                return Amount(_cents_after(tokens, j, value), tok.cur)
            return Amount(_scaled(tok, value), tok.cur)
        if tok.kind == "num" and (found := _number_at(tokens, i)) is not None:
            value, j = found
            at = _currency_after(tokens, j)
            if at is None:
                continue
            cur = tokens[at]
            claimed = _number_at(tokens, at + 1)
            if claimed is not None:
                # "1 $10 dollars": the symbol belongs to the number after it.
                after = claimed[1]
                if after < len(tokens) and tokens[after].kind == "cur" and tokens[after].div == 1:
                    continue
            if at + 1 < len(tokens) and tokens[at + 1].kind == "scale":
                return Amount(value * SCALES[tokens[at + 1].text], cur.cur)
            if cur.div != 1:
                return Amount(_scaled(cur, value), cur.cur)
            return Amount(_cents_after(tokens, at + 1, value), cur.cur)
    return None


def _bare(tokens: list[_Tok]) -> Amount | None:
    for i, tok in enumerate(tokens):
        if tok.kind != "num" or (found := _number_at(tokens, i)) is None:
            continue
        value, j = found
        before = [t.text for t in tokens[max(0, i - 4) : i] if t.kind in {"word", "and"}]
        if not any(w in _MONEY_VERBS for w in before) or (before and before[-1] in _NOT_BEFORE):
            continue
        prev = tokens[i - 1] if i else None
        nxt = tokens[j] if j < len(tokens) else None
        if prev is not None and prev.kind == "punct" and prev.text in "/-#:":
            continue
        if nxt is not None and (
            (nxt.kind == "word" and nxt.text not in _AFTER_BARE)
            or (nxt.kind == "punct" and nxt.text in "/-:%")
        ):
            continue
        return Amount(value, None)
    return None


def find_amount(digitised: str) -> Amount | None:
    """The first amount with a currency, else the first bare amount in a paying context."""
    tokens = _tokens(digitised)
    return _explicit(tokens) or _bare(tokens)


def resolve_currency(amount: Amount, default_currency: str | None) -> Amount:
    """Map "$" and "dollars" to the account's dollar currency when it has one, else USD; fill a missing
    currency from the default."""
    cur = amount.currency
    if cur == DOLLAR:
        cur = default_currency if default_currency and default_currency.endswith("D") else "USD"
    elif cur == NO_ISO:
        cur = None
    elif cur is None:
        cur = default_currency
    if cur is not None and not is_currency(cur):
        cur = None
    return Amount(amount.value, cur)


def decimal_string(value: Decimal, currency: str | None) -> str:
    """The slot's decimal string: the currency's minor digits, at least two places when unknown."""
    places = currency_exponent(currency) if currency else max(2, -int(value.as_tuple().exponent))
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, ROUND_HALF_EVEN):f}"
