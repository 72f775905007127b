"""Normalisation of one customer turn before anything tries to read it.

Speech recognition, SMS shorthand and email etiquette all write the same intent in different ways ("i'll",
"ill pay tmrw", "um I will pay tomorrow"). Every reader downstream (labels, dates, amounts) works on the
canonical form made here, so each of them carries one vocabulary instead of three.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 2000
"""Longest turn we read. Anything longer is cut: a turn is a sentence or an email, not a document, and the
cap keeps the worst case of every regex bounded."""

_EMOJI_WORDS = {
    "👍": " yes ",
    "👌": " ok ",
    "✅": " yes ",
    "🛑": " stop ",
    "⛔": " stop ",
    "🙏": " please ",
}

_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bshan'?t\b", "shall not"),
    (r"\bain'?t\b", "is not"),
    (r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need)n'?t\b", r"\1 not"),
    (r"\b(\w+)'s been\b", r"\1 has been"),
    (
        r"\b(money|cash|bill|invoice|balance|account|payment|price|fee|charge|rent|work|business|things|"
        r"nothing|cheque|check|transfer|debt|total|amount|everything|number|name|figure)'?s"
        r"(?= (?:not|too|way|very|really|so|just|a bit|wrong|tight|fine|ok|done|paid|sorted|gone|been|due|"
        r"off|correct|right|incorrect|higher|more)\b)",
        r"\1 is",
    ),
    (r"\bi'm\b|\bim\b", "i am"),
    (
        r"\bill(?= (?:pay|send|do|have|get|be|sort|transfer|make|call|try|give|clear|settle|drop|put|ring|"
        r"text|email)\b)",
        "i will",
    ),
    (r"\bid(?= (?:like|prefer|rather|love|need)\b)", "i would"),
    (r"\blets\b", "let us"),
    (r"\bi'?ve\b", "i have"),
    (r"\bi'll\b", "i will"),
    (r"\bi'd\b", "i would"),
    (r"\b(you|we|they)'re\b", r"\1 are"),
    (r"\b(you|we|they|he|she|it|that|there)'ll\b", r"\1 will"),
    (r"\b(you|we|they)'ve\b", r"\1 have"),
    (r"\b(you|we|they|he|she)'d\b", r"\1 would"),
    (r"\b(it|that|what|he|she|there|here|who|where|how|this|amount|everything)'s\b", r"\1 is"),
    (r"\bits\b(?= (a|an|the|not|been|fine|ok|okay|my|your|fraud|wrong|correct|right|me|all)\b)", "it is"),
    (r"\bthats\b", "that is"),
    (r"\bwhats\b", "what is"),
    (r"\blet's\b", "let us"),
    (r"\by'all\b", "you all"),
)

# SMS and chat shorthand, whole words only.
_SHORTHAND = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "pleas": "please",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "tomoz": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tonite": "tonight",
    "rn": "right now",
    "atm": "at the moment",
    "w": "with",
    "thx": "thanks",
    "ty": "thanks",
    "wk": "week",
    "wks": "weeks",
    "mnth": "month",
    "cn": "can",
    "wat": "what",
    "wot": "what",
    "payed": "paid",
    "pd": "paid",
    "recieved": "received",
    "recieve": "receive",
    "gettin": "getting",
    "msg": "message",
    "msgs": "messages",
    "txt": "text",
    "txts": "texts",
    "hrs": "hours",
    "acct": "account",
    "acc": "account",
    "amt": "amount",
    "paymt": "payment",
    "pmt": "payment",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "dunno": "do not know",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "idk": "i do not know",
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "havent": "have not",
    "hasnt": "has not",
    "cant": "can not",
    "wont": "will not",
    "shouldnt": "should not",
    "couldnt": "could not",
    "ive": "i have",
    "youre": "you are",
    "theyre": "they are",
    "eod": "end of day",
    "tomorow": "tomorrow",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "2day": "today",
    "tdy": "today",
    "b4": "before",
    "nxt": "next",
    "wil": "will",
    "definately": "definitely",
    "defo": "definitely",
    "def": "definitely",
    "prob": "probably",
    "probs": "probably",
    "untill": "until",
    "becuase": "because",
    "bcoz": "because",
    "pymt": "payment",
    "paymnt": "payment",
    "payement": "payment",
    "sry": "sorry",
    "m8": "mate",
    "youll": "you will",
    "theres": "there is",
    "whos": "who is",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "wen": "when",
    "bal": "balance",
    "febuary": "february",
    "wensday": "wednesday",
    "wednsday": "wednesday",
    "thursay": "thursday",
    "fryday": "friday",
    "cancell": "cancel",
    "asap": "as soon as possible",
}

# Speech-recognition fillers and hesitations that carry no meaning.
_FILLERS = re.compile(r"\b(?:um+|uh+|uhm+|erm+|er|ah+|hmm+|mm+|uh huh)\b")

# Homophones speech recognition is known to produce for words that matter here.
_ASR_FIXES: tuple[tuple[str, str], ...] = (
    (r"\ba (?:tourney|turney|turny)\b", "attorney"),
    (
        r"\bcan sell\b(?= (?:my|the|this|that|our|it|membership|subscription|account|policy|service))",
        "cancel",
    ),
    (r"\bpay meant\b", "payment"),
    (r"\bpay mint\b", "payment"),
    (r"\binstall meant", "installment"),
    (r"\bfor tea\b", "forty"),
    (r"\bfor teen(th)?\b", r"fourteen\1"),
    (r"\b(?:to|too)(?= (?:hundred|thousand)\b)", "two"),
    (r"\b(?:won)(?= (?:hundred|thousand)\b)", "one"),
    (r"\bate(?= (?:hundred|thousand)\b)", "eight"),
    (r"\blaid of\b", "laid off"),
)

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\b[a-z0-9]+\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ufffd]")
_CONTRACTIONS_RE = tuple((re.compile(p), r) for p, r in _CONTRACTIONS)
_CONTRACTIONS_ANY = re.compile("|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(_CONTRACTIONS)))
"""All contractions in one alternation, so a turn is scanned once instead of once per rule."""
_ASR_RE = tuple((re.compile(p), r) for p, r in _ASR_FIXES)
_ASR_ANY = re.compile("|".join(f"(?:{p})" for p, _ in _ASR_FIXES))


def _expand_contraction(m: re.Match[str]) -> str:
    # The branch that matched is named c<i>; its own compiled rule, matched at the same place in the same
    # string (so look-arounds see the same context), expands the rule's group references.
    name = m.lastgroup
    if name is None:
        return m.group(0)
    pattern, repl = _CONTRACTIONS_RE[int(name[1:])]
    own = pattern.match(m.string, m.start())
    return own.expand(repl) if own is not None and own.end() == m.end() else m.group(0)


_REPEAT = re.compile(r"\b(\w+)(?: \1\b)+")
_WORD_PUNCT = re.compile(r"[^\w$£€¥₹₩₽₺₪₫₦₱₡₾₭₿%\s]")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Views of one turn. ``raw`` is the capped original; ``text`` keeps punctuation that dates and amounts
    need; ``words`` is bare lowercase words for the label lexicon."""

    raw: str
    text: str
    words: str
    truncated: bool


def decode(value: str | bytes) -> str:
    """Accept bytes from a transport that did not decode them; undecodable bytes become U+FFFD."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def cap(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_CHARS:
        return text, False
    return text[:MAX_CHARS], True


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", " - ").replace("\u2013", "-")
    # Drop control characters and the replacement character left by bad bytes.
    return _CONTROL.sub(" ", text)


def canonical(text: str) -> str:
    """Lowercase text with contractions, shorthand, fillers and known ASR errors rewritten."""
    text = _CONTRACTIONS_ANY.sub(_expand_contraction, _fold(text).lower())
    text = _WORD.sub(lambda m: _SHORTHAND.get(m.group(0), m.group(0)), text)
    text = _FILLERS.sub(" ", text)
    if _ASR_ANY.search(text) is not None:
        for pattern, repl in _ASR_RE:
            text = pattern.sub(repl, text)
    return _SPACES.sub(" ", text).strip()


def words_of(text: str) -> str:
    """Bare words: apostrophes joined ("mother's" -> "mothers"), other punctuation a space."""
    text = text.replace("'", "")
    text = _WORD_PUNCT.sub(" ", text)
    # Stutters ("the the", "a a") only matter for phrase matching; digits keep their repeats elsewhere.
    return _REPEAT.sub(r"\1", _SPACES.sub(" ", text).strip())


def normalise(value: str | bytes) -> Normalised:
    raw, truncated = cap(decode(value))
    text = canonical(raw)
    return Normalised(raw=raw, text=text, words=words_of(text), truncated=truncated)
