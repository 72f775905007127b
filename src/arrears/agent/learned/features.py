"""Hashed sparse features of one normalised turn, shared by training (bench/train_intents.py) and run time.

Why these features: the phrase lexicon fails on words it has never listed, so the fallback must see *pieces*
of words as well as words. Character 3-5-grams inside each word and a crude stem make "hospitalised" share
most of its features with "hospital", "redundancy" with "redundant", "bankrupted" with "bankrupt"; word
unigrams and bigrams keep short phrases ("not mine", "passed away") that carry meaning as a unit.

Hashing with CRC-32 (not ``hash()``, which is salted per process) keeps the same text on the same buckets in
every process, so the committed weights mean the same thing everywhere and the output is deterministic.
"""

from __future__ import annotations

import math
import zlib

BITS = 20
"""2**20 buckets: few collisions for a vocabulary of tens of thousands of features, still a plain int key."""
_MASK = (1 << BITS) - 1

_SUFFIXES = (
    "isations",
    "izations",
    "isation",
    "ization",
    "ational",
    "fulness",
    "ousness",
    "iveness",
    "ations",
    "ments",
    "ation",
    "ising",
    "izing",
    "ement",
    "ively",
    "ness",
    "ment",
    "ised",
    "ized",
    "ings",
    "ably",
    "ency",
    "ancy",
    "ful",
    "ing",
    "ies",
    "ied",
    "ise",
    "ize",
    "ous",
    "ive",
    "ity",
    "ed",
    "es",
    "er",
    "ly",
    "al",
    "s",
    "y",
    "e",
)


def stem(word: str) -> str:
    """Strip the longest listed suffix while keeping a stem of at least four letters (crude on purpose: it
    only has to send a word's inflections to the same bucket, never to produce a real word)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & _MASK


def feature_names(words: str) -> list[str]:
    """The readable features of a turn's bare words (``Normalised.words``); duplicates are kept out."""
    tokens = words.split()[:120]  # a turn is a sentence or an email; the cap bounds the cost of a long one
    out: set[str] = {"<bias>"}
    stems = [stem(t) for t in tokens]
    for i, token in enumerate(tokens):
        out.add("w:" + token)
        out.add("s:" + stems[i])
        if i:
            out.add("b:" + tokens[i - 1] + " " + token)
            out.add("sb:" + stems[i - 1] + " " + stems[i])
        if token.isdigit():
            out.add("c:<num>")
            continue
        padded = f"<{token}>"
        for n in (3, 4, 5):
            for k in range(len(padded) - n + 1):
                out.add("c:" + padded[k : k + n])
    if not tokens:
        out.add("<empty>")
    return sorted(out)


def featurise(words: str) -> tuple[tuple[int, ...], float]:
    """Bucket ids of a turn's features and the value each carries (1/sqrt(count), so that a long email and a
    three-word SMS reach the same scale and length alone does not push a score over a threshold)."""
    names = feature_names(words)
    buckets = tuple(sorted({_bucket(name) for name in names}))
    return buckets, 1.0 / math.sqrt(len(buckets))
