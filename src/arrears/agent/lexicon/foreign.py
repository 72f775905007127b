# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Turns in other languages. Two different things: asking for another language or saying one cannot
follow this one (``language``), and paying phrases merely written in another language, which get their
ordinary label. Spanish, French, German, Portuguese, Hindi in Latin script, Polish, Italian, Russian and
Chinese; the words view keeps letters with accents and CJK characters.
"""

from __future__ import annotations

from arrears.agent.labels import Label

FOREIGN: dict[Label, tuple[str, ...]] = {
    Label.LANGUAGE: (
        # Spanish
        r"\bno (?:hablo|entiendo|comprendo|le entiendo|te entiendo)\b|\bhabl(?:a|as|an|o|amos)\b(?: \w+){0,2} (?:español|espanol|castellano|inglés|ingles)\b|\b(?:en|solo) (?:español|espanol|castellano)\b|\btraductor\b|\bint[ée]rprete\b",
        # French
        r"\bparle[sz]?(?: vous)? (?:\w+ )?(?:français|francais|anglais)\b|\bne (?:parle|comprends|comprend) pas\b|\bje ne comprends\b|\ben (?:français|francais)\b|\bpas (?:l )?anglais\b|\bje comprends pas\b",
        # German
        r"\bsprechen sie\b|\bsprichst du\b|\bspreche (?:kein|nicht|nur)\b|\bverstehe (?:kein|nicht|nichts)\b|\bauf deutsch\b|\bkein(?:e)? englisch\b",
        # Portuguese
        r"\b(?:não|nao) (?:falo|entendo|compreendo|percebo)\b|\bfala(?:m)? (?:\w+ )?(?:português|portugues|inglês|ingles)\b|\bem (?:português|portugues)\b",
        # Hindi / Urdu in Latin script
        r"\b(?:hindi|urdu|punjabi|tamil|telugu|bengali|marathi|gujarati|hindee) (?:mein|me|main|mai)\b|\bsamajh? (?:nahi|nahin|na|nai)\b|\bsamjh (?:nahi|nahin|nai)\b|\b(?:angrezi|english) (?:nahi|nahin|nai) (?:aati|aata|samajh)|\bangrezi\b",
        # Polish
        r"\bpo polsku\b|\bnie rozumiem\b|\bnie m[óo]wi[eę]\b|\bm[óo]wi (?:pan|pani|ktoś|ktos)\b",
        # Italian, Russian
        r"\bparla italiano\b|\bnon capisco\b|\bnon parlo\b|\bпо[ -]?русски\b|\bне понимаю\b|\bговорите\b",
        # Chinese (no word boundaries in CJK text)
        r"中文|汉语|漢語|普通话|普通話|国语|國語|粤语|粵語|广东话|廣東話|不会说英|不會說英|不懂英|听不懂|聽不懂|不会英|不會英|看不懂",
    ),
    Label.PROMISE_TO_PAY: (
        r"\b(?:voy a|vamos a|puedo|podemos|podr[ií]a|te|le|les) (?:\w+ )?pagar\b|\bpagar[ée]\b|\bpagaremos\b",
        r"\bje (?:vais|peux|pourrai|pourrais|veux) (?:vous )?payer\b|\bje (?:vous )?(?:paierai|payerai)\b|\bnous (?:allons|pouvons) (?:vous )?payer\b",
        r"\bich (?:werde|kann|will)(?: \w+){0,3} (?:zahlen|bezahlen|überweisen)\b|\bwir (?:werden|können)(?: \w+){0,3} (?:zahlen|bezahlen|überweisen)\b",
        r"\b(?:vou|posso|vamos|podemos) pagar\b|\bpagarei\b",
        r"\bzapłacę\b|\bzaplace\b|\b(?:pay|payment) kar (?:dunga|dungi|denge|doonga)\b|\b(?:de|bhej) (?:dunga|dungi|denge|doonga)\b",
    ),
}
