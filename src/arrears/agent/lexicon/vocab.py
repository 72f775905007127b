# ruff: noqa: E501  (regex fragments read best one alternation per line)
"""Word classes shared by the label lexicons: who pays, with which verbs, in which tense, and when.

The label patterns are built from these classes instead of listing phrasings one by one, so a new synonym
("remit", "sort it", "drop it in") added here reaches every pattern that talks about paying. Everything works
on the ``words`` view of text.normalise: lowercase, contractions expanded, punctuation removed.
"""

from __future__ import annotations

NOT = r"(?:not|never|no)"
SUBJ = r"(?<!before )(?<!until )(?<!if )(?<!when )(?<!once )(?<!till )(?<!unless )\b(?:i|we)"
"""A first-person payer, not inside a condition ("if I pay ...", "once we send ...")."""

MOD = (
    r"(?:will|can|could|shall|should|would|might|may|must|am going to|are going to|going to|am gonna|gonna|"
    r"be able to|able to|plan to|hope to|intend to|promise to|aim to|expect to|try to|"
    r"(?:will|can|should|could) (?:definitely|probably|hopefully|maybe|possibly|try to|try and|prob|def)|"
    r"(?:definitely|probably|hopefully|maybe|possibly|def|prob) (?:will|can|could|should)|"
    r"think (?:i|we) (?:can|could|will|should)|guess (?:i|we) (?:can|could)|let me|let us)"
)
"""Modals and hedges of a commitment: hedged promises ("should be able to", "hopefully") are still promises."""

GAP = r"(?:(?!not\b|never\b|no\b)\w+ ){0,3}"
"""Up to three words that are not a negation ("I will *definitely get the* money ...")."""

OBJ_NOT_MONEY = (
    r"(?! (?:you |u |it |them |me |us )?(?:the |an? |my |our |your |some |any |this |that )?(?:\w+ )?"
    r"(?:details|email|emails|letter|letters|message|info|information|documents?|proof|copy|photo|picture|"
    r"screenshot|form|forms|complaint|address|number|reference|statement|contract|agreement|text|reply|breakdown|"
    r"invoice|invoices|bill|receipt|receipts|link|quote|summary|confirmation|records?|trustee|details|paperwork))"
)
PAYV = (
    rf"(?:pay|send{OBJ_NOT_MONEY}|transfer|wire|remit|settle|clear|release|deposit|drop (?:it|the money|the cash|a cheque|a check)|"
    rf"put (?:it|the money|something|some|a bit|money)|make (?:a |the |my |our )?(?:payment|transfer)|"
    r"sort (?:it|this|that|the (?:payment|bill|balance|invoice|account))|(?:post|mail) (?:you )?(?:the |a )?(?:cheque|check)|"
    r"get (?:it|you|the|that|this|payment|the money)\b(?! in trouble)|have (?:it|the|that|this|payment|money)|"
    r"give (?:you|u)\b(?! (?:a )?(?:call|ring|bell|shout|heads up|update|an update|a chance))|do (?:it|half|the rest|the balance|the full|the payment|the lot))"
)
"""Present-tense verbs of moving money, and phrasings that mean it ("sort it", "get you the money")."""

PAID = (
    rf"(?:paid|payed|sent{OBJ_NOT_MONEY}|settled|cleared|transferred|wired|remitted|deposited|"
    r"made (?:the|a|my|our|that) (?:payment|transfer)|did pay|took care of (?:it|this|that|the)|sorted (?:it|this|that)|"
    r"paid off|covered (?:it|this|that))"
)
"""Past tense of the same: the money has already moved."""

WEEKDAY = r"(?:mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday)"
MONTH = r"(?:jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)"
ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
    r"(?:twenty|thirty) (?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
WHEN = (
    rf"(?:{WEEKDAY}|tomorrow|tonight|today|this (?:afternoon|evening|morning|week|weekend)|"
    rf"(?:next|this|coming|following) (?:week|month|weekend|{WEEKDAY})|(?:the )?weekend|"
    r"(?:the )?end of (?:the |this |next )?(?:day|week|month)|eod|eom|close of business|"
    r"(?:next |my |our )?pay ?day|payday|(?:next |my )?pay ?check|(?:next )?pay run|"
    rf"(?:on|by|before|after|until|till|from) (?:the )?{ORDINAL}|(?:on|by|before|until|till) (?:the )?\d{{1,2}}\b|"
    rf"{ORDINAL} of|{MONTH}|"
    r"in (?:a|an|one|two|three|four|five|six|seven|ten|\d+|a couple of|a few|few) (?:days?|weeks?|fortnight|months?)|"
    r"(?:a|in a|within a|this) fortnight|within (?:\d+|a|one|two|three|a few) (?:business |working )?(?:days?|weeks?)|"
    r"christmas|xmas|new year|easter|first thing)"
)
"""Time words that make a paying verb a commitment ("pay friday", "send it end of the month")."""

HEDGE_WORDS = frozenset(
    "maybe probably possibly hopefully perhaps not sure yet i think guess so ok okay well like just um "
    "around about approx approximately roughly or either and no promises honestly say lets let us should "
    "be fine sometime by on the at".split()
)
TIME_CORE = frozenset(
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat saturday sun sunday "
    "tomorrow today tonight week month weekend payday fortnight".split()
)
"""At least one of these makes a short turn a time answer (not just "a few", "in", "the")."""
MONEY_WORDS = frozenset(
    "quid pounds pound dollars dollar bucks euros euro rupees rs $ £ € a an hundred thousand k grand one two three "
    "four five six seven eight nine ten twenty thirty forty fifty sixty seventy eighty ninety and".split()
)
TIME_WORDS = frozenset(
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat saturday sun sunday "
    "tomorrow today tonight next this coming week month weekend end of day pay payday paycheck first "
    "fortnight in a few couple two weeks days months after before early late mid".split()
)
