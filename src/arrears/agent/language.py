"""Which language a customer's turn is written in, as a pure function of its text: the script first (Han,
Arabic, Cyrillic... name their language outright), then, for Latin script, the share of each language's
commonest function words. Short or mixed turns ("ok", "si", "1234", an emoji) say nothing: ``None``.

Used to answer in Spanish when a customer writes it, and to hand a customer who writes another language to
a person who speaks it; never to read the turn, which understanding does in any language it knows.
"""

from __future__ import annotations

import re
import unicodedata

#: Scripts that name a language (or a family a person must look at) outright.
_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("CJK", "zh"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("CYRILLIC", "ru"),
    ("GREEK", "el"),
    ("DEVANAGARI", "hi"),
    ("BENGALI", "bn"),
    ("GURMUKHI", "pa"),
    ("GUJARATI", "gu"),
    ("TAMIL", "ta"),
    ("TELUGU", "te"),
    ("THAI", "th"),
)

#: Function words that are frequent in each language and rare in the others (no shared ones like "a").
_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and is are you your i my me it this that to of for with not can will have be was what when "
        "pay paid please thanks thank yes don't can't i'm it's we they our will next week month friday "
        "monday money account debt lawyer now just".split()
    ),
    "es": frozenset(
        "el la los las de del que y es son usted mi mis por para con no puedo pagar pago gracias sí "
        "pero cuando como está estoy tengo hoy mañana semana mes quiero favor le lo una un se esto eso este "
        "esta voy va ya muy más al su sus nos hay sin también soy dólares cuenta deuda viernes lunes "
        "hasta ahora dinero trabajo abogado".split()
    ),
    "fr": frozenset(
        "le les des du et est je vous mon ma mes pour avec ne pas peux payer merci oui mais quand "
        "comme suis ai aujourd'hui demain semaine mois veux une un ce cette".split()
    ),
    "pt": frozenset(
        "o os as do da dos das e é eu você meu minha para com não posso pagar obrigado obrigada sim mas "
        "quando como estou tenho hoje amanhã semana mês quero uma um".split()
    ),
    "de": frozenset(
        "der die das und ist ich sie mein meine für mit nicht kann zahlen danke ja nein aber wann wie "
        "bin habe heute morgen woche monat will eine ein".split()
    ),
    "it": frozenset(
        "il lo gli di del che e è io lei mio mia per con non posso pagare grazie sì ma quando come sono "
        "ho oggi domani settimana mese voglio una un".split()
    ),
    "nl": frozenset(
        "de het een en is ik u mijn voor met niet kan betalen dank ja nee maar wanneer hoe ben heb "
        "vandaag morgen week maand wil".split()
    ),
    "pl": frozenset(
        "i w z na nie jest ja pan pani mój moja dla się mogę zapłacić dziękuję tak ale kiedy jak jestem "
        "mam dzisiaj jutro tydzień miesiąc chcę".split()
    ),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
MIN_WORDS = 3
"""Fewer distinct known words than this say nothing: "ok", "si" or "gracias" alone switch no conversation."""


def detect(text: str) -> str | None:
    """A BCP 47 primary language code, or None when the turn is too short or too mixed to tell."""
    sample = text[:4000]
    script = _script(sample)
    if script is not None:
        return script
    tokens = [t.lower() for t in _TOKEN.findall(sample)]
    distinct = set(tokens)  # "no no no" is one word of evidence, not three
    scores = {code: len(distinct & words) for code, words in _WORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_WORDS or top < 2 * second or top * 4 < len(tokens):
        return None
    return best


def _script(text: str) -> str | None:
    """The language a non-Latin script names, when its letters outnumber Latin ones."""
    counts: dict[str, int] = {}
    latin = 0
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            latin += 1
            continue
        code = next((code for prefix, code in _SCRIPTS if name.startswith(prefix)), None)
        if code is not None:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    code, count = max(counts.items(), key=lambda item: item[1])
    if code == "zh" and ("ja" in counts):
        code = "ja"  # kana beside kanji: Japanese
    return code if count >= 2 and count > latin else None
