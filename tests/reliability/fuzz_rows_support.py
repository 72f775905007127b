"""Edge values for the row fuzzer and the oracle that says what Arrears must do with each.

Amounts are decimal strings at the edges of every ISO 4217 currency: the bound (10**15 minor units) and
one past it, past int64, 1e30 in digits, negative, one decimal too many. Texts mix scripts, right-to-left
marks and emoji, and may carry a NUL, a lone surrogate or be longer than the store allows.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from arrears.core.money import MAX_MINOR, currencies, currency_exponent

CURRENCIES = currencies()
NAME_LIMIT = 256
#: Latin, Cyrillic, Arabic (RTL), Hebrew (RTL), CJK, Devanagari, Thai, emoji, RTL/LTR marks, combining marks.
_SCRIPTS = st.sampled_from(
    list("Aéßø") + list("Жщ") + list("مرح") + list("שלו") + list("漢字") + list("नम") + list("สวั")
    + ["😀", "👩\u200d💻", "🇺🇸", "\u200f", "\u200e", "\u0301", " "]
)  # fmt: skip


def edge_amounts(currency: str) -> list[str]:
    """Amounts a sender may really send, at and past every bound, written in the currency's decimals."""
    e = currency_exponent(currency)
    top = Decimal(MAX_MINOR).scaleb(-e)
    tiny = Decimal(1).scaleb(-e)
    too_fine = Decimal(1).scaleb(-e - 1)
    return [
        f"{top:f}",
        f"{top + tiny:f}",
        f"{tiny:f}",
        f"{too_fine:f}",
        "9223372036854775808",
        "92233720368547758.08",
        "1" + "0" * 30,
        "-1",
        "0",
        "12" if e == 0 else f"12.{'5' * e}",
    ]


def expected_minor(amount: str, currency: str) -> int | None:
    """The exact minor units Arrears must store for `amount`, or None when it must refuse it."""
    text = amount.strip()
    if text.startswith("-") or not text.replace(".", "", 1).isdigit():
        return None
    scaled = Decimal(text).scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value() or scaled > MAX_MINOR:
        return None
    return int(scaled)


@st.composite
def edge_text(draw: st.DrawFn) -> str:
    """A name in mixed scripts, sometimes with what no store can hold, sometimes over the limit."""
    base = "N" + "".join(draw(st.lists(_SCRIPTS, min_size=1, max_size=40))) + "Z"
    kind = draw(st.sampled_from(["plain", "plain", "nul", "surrogate", "long", "at-limit"]))
    if kind == "nul":
        return base[:5] + "\x00" + base[5:]
    if kind == "surrogate":
        return base + "\ud83d"
    if kind in ("long", "at-limit"):
        size = NAME_LIMIT + 1 if kind == "long" else NAME_LIMIT
        return (base * (NAME_LIMIT // len(base) + 2))[: size - 1] + "Z"
    return base


def text_ok(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text) and len(text) <= NAME_LIMIT
