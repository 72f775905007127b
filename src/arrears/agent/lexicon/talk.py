# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Patterns of the conversational labels: wrong party, callback, questions about the debt, human agent
requests stay in escalation.py; language requests in English are here, other languages in foreign.py."""

from __future__ import annotations

from arrears.agent.labels import Label

LANGS = r"(?:spanish|espanol|español|french|francais|français|mandarin|chinese|cantonese|portuguese|polish|arabic|russian|vietnamese|korean|tagalog|hindi|urdu|punjabi|italian|german|romanian|somali|turkish|japanese|bengali|tamil|gujarati|farsi|persian|ukrainian|haitian creole|creole)"
_DEBT = (
    r"(?:balance|bill|bills|charge|charges|fee|fees|interest|invoice|invoices|amount|total|debt|due date|statement|owe|owed|owing|"
    r"cost|costs|price|penalty|penalties|breakdown|reminders?|letters|gone up|went up|go up|increased|higher|due|arrears|outstanding|overdue)"
)

TALK: dict[Label, tuple[str, ...]] = {
    Label.WRONG_PARTY: (
        r"\bwrong (?:number|person|guy|lady|house|address|customer|account holder|company|email|business)\b|\bno \w+ here\b|\bno (?:mr|mrs|ms|miss|dr) \w+ (?:here|at this)\b|\bnobody (?:by that name|called|named)\b",
        r"\b(?:nobody|no one|noone)(?: here)? (?:by that name|called|named|lives here)\b|\bnobody here\b",
        r"\bdo not know (?:any|anyone|a|the person|who|him|her|them)\b|\bnever heard of\b|\bno idea who\b",
        r"\b(?:does not|do not|no longer) live here\b|\bmoved out\b|\bnew number\b|\b(?:just|recently|only) got (?:this|the|my) (?:number|phone)\b|\bthis is my number\b|\bmy number now\b",
        r"\b(?:got|have|called|texted|emailed|rung|dialled|dialed|reached|messaged) (?:the )?wrong\b(?! (?:amount|balance|figure|figures|invoice|bill|date|rate|price|charge|fee|total|account number|reference|one)\b)",
        r"\bnot (?:his|her|their) (?:number|phone|email|address)\b|\b(?:his|her|their) old (?:number|phone)\b",
        r"\b(?:in error|by mistake)\b|\bnot the person\b|\bmy name is not\b|\bthis is not (?!my|mine|right|correct|true|fair|the|a|an|it|what|me|him|her)[a-z]+$",
    ),
    Label.CALLBACK: (
        r"\bcall (?:me |us )?(?:back|later|tomorrow|after|in|on|at|this|next|about)\b|\bcall me\b(?! (?:again|at work))",
        r"\b(?:text|message|email|ring|phone|try|contact|reach) (?:me|us) (?:later|tomorrow|back|after|in|on|at|this|next|another|some other)\b|\bring (?:me |us )?back\b|\btry (?:me |us )?again\b",
        r"\bcan not (?:talk|speak)\b|\bbusy\b|\bin a meeting\b|\bdriving\b|\bbad time\b|\bnot a good time\b|\bnot (?:great|good) (?:right )?now\b|\bcall back\b",
        r"\b(?:call|ring|phone|get back to) (?:you|u)(?: back)?\b(?! (?:back )?(?:if|when)\b)|\bgive (?:me|us) a (?:call|ring|bell)\b",
        r"\b(?:i am|we are) (?:on the (?:train|bus|road|tube|phone)|at (?:work|the gym|the doctors?|a funeral|school|the school run)|in the car|in the middle of something|about to go (?:in|out))\b",
        r"\b(?:can|could|shall) we (?:talk|speak|do this|chat|discuss this) (?:later|another time|then|tomorrow|tonight|this (?:evening|afternoon)|in \w+|on \w+|after|next|some other)\b|\b(?:talk|speak|do this) later\b|^(?:sorry )?not now\b",
    ),
    Label.QUESTION: (
        r"\bwhat is (?:this|that|it|the \w+)(?: \w+)?(?: even)? for\b|\bwhat (?:is|are) (?:this|these|the) (?:charge|fee|charges|fees)\b",
        r"\bhow much\b|\bwhat do i owe\b|\bwhat i owe\b|\bwhich (?:invoice|bill|account|policy|one)\b|\bhow come\b",
        r"\bwhat is (?:the|my) (?:balance|total|amount|exact amount|final amount)\b|\bthe total with\b",
        r"\b(?:confirm|check)(?: my| the)? balance\b|\bbalance on it\b|\brelates? to\b|\bwhy is (?:there|it)\b",
        r"\bdoes it stop\b|\bcost cent(?:re|er)\b|\breissue\b|\bwhat (?:is|was) (?:it|this) (?:about|for)\b",
        r"\bwhat is (?:this|that|the)\b.*\b(?:fee|charge|amount|payment|bill|invoice)\b|\bwhy (?:is|are) there\b",
        r"\btell me (?:what|how|which|the)\b|\bwhat (?:are|were) the (?:fees|charges)\b|\bwhat the \w+ (?:is|was) for\b",
        rf"\b(?:what|why|how|which|when|who|whose|where)\b(?! to\b)(?: \w+){{0,6}}? {_DEBT}\b",
        r"\b(?:is|are) there (?:any |a |an )?(?:interest|fees?|charges?|penalt|late fee|extra)|\b(?:will|would|do|does|can) (?:i|you|it|there|this)(?: \w+){0,3} (?:charge|charged|fee|fees|interest|penalty)\b",
        r"\b(?:explain|clarify|itemi[sz]e|break down)\b(?: \w+){0,3}? (?:charges?|fees?|bill|invoice|balance|amount|statement|interest|debt)\b|\bbreakdown\b|\bitemi[sz]ed\b",
        # Accounts payable cannot book an invoice without its purchase order: they ask for it to be reissued.
        r"\b(?:po|purchase order)(?: number| no| ref| reference)? (?:is |was )?(?:missing|not (?:on|quoted|included|shown)|wrong|incorrect|invalid)\b|\b(?:without|no|missing) (?:a |the |our |any )?(?:valid )?(?:po|purchase order)\b",
        r"\bhow long (?:do|have|will) (?:i|we)\b|\bdeadline\b|\bwhat does (?:this|that|the) (?:\w+ )?(?:fee|charge|cover|include)\b",
        r"\bfactura en\b",
    ),
    Label.LANGUAGE: (
        rf"\b(?:habla|hablas|hablan|speak|speaks|speaking) (?:\w+ )?{LANGS}\b|\bno hablo\b|\bhabla espa",
        rf"\ben (?:español|espanol|francés|frances)\b|\b{LANGS} (?:please|por favor|porfa)\b|\bin {LANGS}\b",
        r"\bmy english (?:is )?(?:not|no)\b|\benglish (?:is )?not (?:so |very |good|great|my first)|\bnot speak english\b",
        r"\b(?:do not|can not|not|barely) (?:really )?(?:understand|speak|follow|read) (?:\w+ )?english\b|\binterpreter\b|\btranslator\b|\btranslat(?:e|ion)\b",
        rf"\byou have {LANGS}\b|\bprefiero\b.*\bespa|\bparle pas\b|\bcommuniquer en\b|\bfran[cç]ais\b",
    ),
}
