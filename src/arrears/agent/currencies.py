"""The currency vocabulary: symbols, names, ISO codes and scale words, and which ISO 4217 code each means.

Separate from the parser so the list can grow (more currencies, more local names) without touching the
grammar. ``DOLLAR`` is resolved later against the account's currency; ``NO_ISO`` marks money with no ISO code
(bitcoin, pre-euro currencies): its amount is read, its currency left empty.
"""

from __future__ import annotations

import re

DOLLAR = "DOLLAR"
NO_ISO = "-"

# (pattern, currency, divisor): divisor 100 for cents/pence, 10 for mao.
PHRASES: tuple[tuple[str, str, int], ...] = (
    (r"(?:u\.?\s?s\.?\s?|usd\s?)\$", "USD", 1),
    (r"(?:c|ca|cad)\s?\$", "CAD", 1),
    (r"(?:au|aud)\s?\$", "AUD", 1),
    (r"(?:nz|nzd)\s?\$", "NZD", 1),
    (r"(?:hk|hkd)\s?\$", "HKD", 1),
    (r"(?:mex|mx|mxn)\s?\$", "MXN", 1),
    (r"(?:s|sgd)\$", "SGD", 1),
    (r"(?:us|u\.s\.|american) dollars?", "USD", 1),
    (r"canadian dollars?", "CAD", 1),
    (r"australian dollars?", "AUD", 1),
    (r"new zealand dollars?", "NZD", 1),
    (r"hong kong dollars?", "HKD", 1),
    (r"singapore dollars?", "SGD", 1),
    (r"(?:chinese )?yuan|renminbi|rmb|kuai", "CNY", 1),
    (r"mao", "CNY", 10),
    (r"swiss francs?", "CHF", 1),
    (r"turkish liras?", "TRY", 1),
    (r"mexican pesos?|pesos? mexicanos?", "MXN", 1),
    (r"d[oó]lar(?:es)? (?:estadounidenses?|americanos?)", "USD", 1),
    (r"d[oó]lar(?:es)? canadienses?", "CAD", 1),
    (r"libras? esterlinas?|libras?", "GBP", 1),
    (r"centavos?", DOLLAR, 100),
    (r"d[oó]lar(?:es)?", DOLLAR, 1),
    (r"sri lankan rupees?", "LKR", 1),
    (r"(?:(?:indian )?rupees?|rs\.?)", "INR", 1),
    (r"british pounds?|pounds? sterling|pounds?|quid|sterling", "GBP", 1),
    (r"pence|pennies|penny", "GBP", 100),
    (r"cents?", DOLLAR, 100),
    (r"dollars?|bucks?", DOLLAR, 1),
    (r"euros?", "EUR", 1),
    (r"yen", "JPY", 1),
    (r"bitcoins?|btc|satoshis?|pesetas?|guilders?|markkas?|francs?|liras?|pesos?|sen", NO_ISO, 1),
)
SYMBOLS = {
    "$": DOLLAR,
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "元": "CNY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₦": "NGN",
    "₱": "PHP",
    "₡": "CRC",
    "₾": "GEL",
    "₭": "LAK",
    "₿": NO_ISO,
    "ரூ": "LKR",
}
# ISO codes people actually type; the full ISO list contains English words ("all", "top", "try").
CODES = [
    "usd",
    "eur",
    "gbp",
    "cad",
    "aud",
    "nzd",
    "jpy",
    "cny",
    "chf",
    "inr",
    "mxn",
    "hkd",
    "sgd",
    "sek",
    "nok",
    "dkk",
    "zar",
    "brl",
    "pln",
    "czk",
    "huf",
    "ron",
    "ils",
    "aed",
    "sar",
    "krw",
    "php",
    "thb",
    "idr",
    "myr",
    "ngn",
    "kes",
    "egp",
]
MEGA = re.compile(r"\bm(usd|eur|gbp|aud|cad|chf|jpy)\b")
GLUED = re.compile(
    r"(?<![a-z])(usd|eur|gbp|cad|aud|nzd|jpy|cny|chf|inr|rmb)(?=\d)|(?<=\d)(usd|eur|gbp|cad|aud|nzd|jpy|cny|chf|inr|rmb)(?![a-z])"
)
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "k": 1_000,
    "grand": 1_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "crore": 10_000_000,
    "million": 1_000_000,
    "mn": 1_000_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}
