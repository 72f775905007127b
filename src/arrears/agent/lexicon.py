# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Phrase patterns per label, over the ``words`` view (lowercase, contractions expanded, no punctuation).

Each pattern is a general phrasing of the label, not a sentence from any corpus. ``NEGATABLE`` patterns are
cancelled by a negation just before them ("I'm not disputing it", "I'm not filing bankruptcy"); patterns that
carry their own negation ("not mine", "never ordered") are not. ``BLOCKERS`` remove a label where a phrase
shows the keyword is used in another sense ("my lawyer told me to pay" is not a legal threat).
"""

from __future__ import annotations

import re

from arrears.agent.labels import Label

_NOT = r"(?:not|never|no)"
_MOD = r"(?:will|can|could|shall|should|would|am going to|are going to|going to|am gonna|gonna|be able to|able to|plan to|hope to|intend to|promise to)"
_GAP = r"(?:(?!not\b|never\b|no\b)\w+ ){0,3}"
_PAYV = r"(?:pay|send(?! (?:you )?(?:the |an? |my |our )?(?:\w+ )?(?:details|email|letter|message|info|information|documents?|proof|copy|photo|screenshot))|transfer|wire|settle|clear|drop|put|make (?:a |the )?payment|get (?:it|you|the|that|this|payment|the money)\b(?! in trouble)|have (?:it|the|that|this|payment|money))"
_NUMW = r"(?:\$|£|€|\d|a |an |one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
_SUBJ = r"(?<!before )(?<!until )(?<!if )(?<!when )(?<!once )(?<!till )\b(?:i|we)"
_FAMILY = r"(?:dad|father|mum|mom|mother|parent|grandmother|grandfather|grandma|grandpa|gran|nan|brother|sister|uncle|aunt|auntie)"
_SPOUSE = r"(?:husband|wife|partner|son|daughter|child|baby|boyfriend|girlfriend|fiance|fiancee)"
_DIED = r"(?:passed away|passed on|passed|died|is dead|has died|deceased|is no longer with us|not with us anymore|not with us any more)"
_LANGS = r"(?:spanish|espanol|español|french|francais|français|mandarin|chinese|cantonese|portuguese|polish|arabic|russian|vietnamese|korean|tagalog|hindi|urdu|punjabi|italian|german|romanian|somali|turkish|japanese)"

PATTERNS: dict[Label, tuple[str, ...]] = {
    Label.PAY_NOW: (
        r"\b(?:send|text|email|give|share|get)(?: me| us)?(?: you?r?)?(?: the| a| your)? (?:payment |pay |secure )?link\b",
        r"\blink to pay\b",
        r"\b(?:pay|settle|clear)(?: it| this| that| my| the| off)?(?: full| whole| entire)?(?: balance| amount| bill| invoice| lot| everything| what is left| the rest)? (?:right )?now\b",
        r"\b(?:i want|i would like|i d like|ready|happy|like) to pay\b(?! (?:on|by|next|in|when|after)\b)",
        r"\bhow (?:can|do) i pay\b",
        r"\bwhere (?:do|can) i (?:enter|put|pay|type)\b",
        r"\b(?:bank|account|payment) details\b",
        r"\bpay (?:it |this |the \w+ )?(?:by|via|over|online|with) (?:card|transfer|bank|phone|the phone|paypal|debit)",
        r"\b(?:take|make) (?:a |the )?payment (?:now|today|over the phone)\b",
        r"\b(?:quiero|puedo) pagar(?: ahora| ya)?\b(?! el)",
        r"\benlace\b",
    ),
    Label.PROMISE_TO_PAY: (
        rf"{_SUBJ}(?: \w+)? {_MOD} {_GAP}{_PAYV}\b",
        rf"{_SUBJ} will (?:(?!not\b|never\b)\w+ ){{0,8}}(?:pay|send|transfer)\b",
        rf"{_SUBJ}(?: will| ll)? (?:pay|send|transfer)(?: it| this| that| you)? (?:on|by|next|this|tomorrow|after|before|when|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
        r"\bwill (?:pay|send|transfer)\b",
        r"^(?:can |will )?(?:pay|send)(?: \S+){0,2} (?:on|by|next|tomorrow|fri|friday|mon|monday|tues|tuesday|wed|wednesday|thurs|thursday|sat|saturday|sun|sunday)\b",
        r"\bwill be (?:paid|settled|included|processed|sent|released|transferred)\b",
        r"\b(?:payment|funds|cheque|check|money|transfer) (?:will |should )?(?:go|goes|going) out\b",
        r"\bexpect (?:the )?(?:funds|payment|money|transfer)\b",
        r"\b(?:ap|payment|weekly|monthly) run\b",
        rf"\b(?:can|could|will) do (?:like |about |maybe )?{_NUMW}",
        r"\bwait (?:until|till|til) .* (?:will )?pay\b",
        r"\bpuedo pagar el\b",
    ),
    Label.PAYMENT_PLAN: (
        r"\bpayment plan\b|\brepayment plan\b|\binstal?l?ment plan\b|\bpayment arrangement\b|\bpayment schedule\b",
        r"\binstal?l?ments?\b",
        r"\bmonthly payments?\b(?! run)|\bweekly payments?\b(?! run)|\bsmaller payments?\b|\bpart payments?\b",
        r"\b(?:pay|do|afford|manage|offer)(?: \S+){0,3} (?:a|per|each|every) (?:month|week|fortnight|2 weeks|two weeks|payday)\b",
        r"\b(?:split|spread|break)(?: \w+){0,3} (?:over|into|out|up)\b",
        r"\bpay(?: it| this| the \w+)? off in\b",
        r"\b(?:2|3|4|two|three|four) (?:halves|parts|chunks|payments)\b",
        r"\bhalf now and the rest\b",
        r"\b(?:a bit|a little|something|some) (?:each|every) (?:month|week)\b",
    ),
    Label.ALREADY_PAID: (
        r"(?<!get )(?<!getting )(?<!gets )(?<!got )(?<!be )(?<!been )\b(?:i|we|she|he|they|wife|husband|partner|son|daughter|mum|mom|dad)(?: have| had)?(?: already| just| only)? (?:paid|sent|settled|cleared|transferred|wired)\b",
        r"^(?:already )?paid\b",
        r"\balready (?:paid|sent|settled|made (?:the|a) payment)\b",
        r"\b(?:payment|remittance|funds|transfer|money)(?: for(?: \w+){1,3})? (?:was |were |has been |have been )?(?:sent|made|released|left|went out|processed|cleared)\b",
        r"\b(?:remittance|payment) sent\b",
        r"(?<!get )(?<!getting )(?<!gets )(?<!got )(?<!be )(?<!been )\bpaid (?:it |this |that )?(?:in full|already|last|yesterday|on)\b",
        r"\bya pagu[eé]\b|\bpagu[eé]\b",
    ),
    Label.DISPUTE: (
        r"\bnot (?:my|mine|our|ours)\b(?! (?:address|date|name|number|phone|fault|problem))",
        r"\b(?:is|was) not mine\b",
        r"\bnever (?:ordered|had|received|signed|opened|used|agreed|authori[sz]ed|bought|got|took|made|requested|asked)\b",
        r"\bnot received the (?:goods|item|order|product|service|parcel)\b",
        r"\b(?:do|does) not owe\b",
        r"\b(?:wrong|incorrect) (?:amount|rate|hourly rate|charge|price|balance|invoice|bill|fee)\b",
        r"\b(?:amount|bill|charge|invoice|balance) is (?:wrong|incorrect|too high)\b",
        r"\bbilled (?:at|for) the wrong\b|\bdouble (?:charged|billed)\b|\bcharged (?:me )?twice\b|\bduplicate\b",
        r"\bcharging (?:me|us) again\b",
        r"\bfraud\b|\bidentity theft\b|\bscam\b|\bin my name\b",
        r"\b(?:proof|evidence)\b|\bin writing\b.*\bowe\b|\bvalidat(?:e|ion)\b|\bverify the debt\b",
        r"\b(?:i|we) (?:already )?cancell?ed\b|\bstill (?:being )?(?:billed|charged|sending)\b|\bwhy am i (?:still )?being (?:billed|charged)\b",
        r"\bcredit note\b|\bcorrected invoice\b|\brefund\b",
        r"\b(?:has not|have not|never|does not|did not) (?:worked|work|arrived|turned up)\b",
        r"\bnot (?:be )?paying\b.*\buntil\b",
        r"\b(?:do not|did not) (?:recogni[sz]e|authori[sz]e)\b",
        r"\bdisput(?:e|ing)\b",
    ),
    Label.HARDSHIP: (
        r"\blost (?:my|our|his|her) (?:job|work|income|biggest client|business)\b|\blaid off\b|\bredundan|\bunemployed\b",
        r"\bno (?:work|job|income)\b|\bout of work\b|\bfurlough",
        r"\b(?:hours|shifts)(?: \w+)? (?:got |were |have been |was |been )?(?:cut|reduced)\b|\bcut (?:my|our|his|her) (?:hours|shifts)\b",
        r"\bcan not afford\b|\bcan not pay (?:right now|now|at the moment|this month|it right now)\b",
        r"\b(?:do not|just do not) have (?:it|the money|any money|enough|that kind of money)\b|\bno money\b",
        r"\b(?:money|cash|cash flow|things|finances)(?: \w+)? (?:is|are|has been|have been) (?:very |really |so )?tight\b|\bmoney s tight\b",
        r"\bbehind on\b|\bstruggling\b|\bbarely (?:covering|making|getting|surviving)\b|\bdrowning\b",
        r"\b(?:really|very|so) short\b|\bshort this month\b|\bmedical bills\b|\bdivorce\b|\bbenefits\b",
        r"\b(?:till|until) my next (?:check|cheque|paycheck|payday)\b",
    ),
    Label.VULNERABLE: (
        rf"\bmy {_SPOUSE} (?:just |recently )?{_DIED}\b",
        r"\bcan not (?:deal|cope) with\b|\bdo not know what to do\b|\boverwhelmed\b",
        r"\bdiagnosed\b|\bcancer\b|\bchemo|\bterminal(?:ly)? ill\b|\bin hospital\b|\bhospitali[sz]ed\b|\bstroke\b",
        r"\bmental health\b|\bdepress|\banxiety\b|\bsuicid|\bkill myself\b|\bend it all\b|\bself harm\b",
        r"\b(?:do not|not) want to be here\b|\bnot in a good place\b|\bbreakdown\b|\bcrisis\b",
        r"\bdementia\b|\balzheimer|\blearning (?:difficult|disabilit)|\bdisabilit|\bcarer\b|\bcaregiver\b",
        r"\b(?:do not|did not) (?:really )?understand (?:what|these|this|the)\b|\bmy \w+ usually does\b",
        r"\babus(?:e|ive|ed)\b|\bdomestic violence\b|\bshelter\b|\brefuge\b|\bbereave|\bgriev",
    ),
    Label.LEGAL: (
        r"\b(?:talk|speak|contact|go|write|send (?:it|this|everything))(?: \w+)? (?:to|through|with) (?:my|our) (?:lawyer|attorney|solicitor|counsel|legal)\b",
        r"\b(?:lawyers?|attorneys?|solicitors?|counsel)(?: is| s| will| has been)? (?:handling|dealing|representing|be in touch|contact|in touch)\b",
        r"\b(?:attorney|lawyer|solicitor) handling\b|\brepresented by\b|\blegal representation\b",
        r"\b(?:sue|suing|lawsuit|legal action|take you to court|see you in (?:\w+ )*court|small claims)\b",
        r"\bfair debt|\bfdcpa\b|\bviolat(?:e|ing|ion) (?:the|my)\b|\bcease and desist\b|\bharass",
        r"\bmy (?:bankruptcy |legal )?(?:lawyer|attorney|solicitor)\b",
    ),
    Label.BANKRUPTCY: (
        r"\bbankrupt(?:cy)?\b|\bchapter (?:7|11|13|seven|eleven|thirteen)\b|\binsolven(?:t|cy)\b|\bliquidat(?:ion|or)\b",
        r"\b(?:entered|in|into|gone into) administration\b|\badministrators\b|\biva\b|\btrustee\b",
        r"\bdebt relief order\b|\bsequestration\b|\breceivership\b|\bconcurso\b",
    ),
    Label.CEASE_CONTACT: (
        r"\bstop (?:calling|texting|messaging|emailing|contacting|writing|sending|ringing|phoning|harassing)\b",
        r"\b(?:do not|never) (?:call|contact|text|email|message|write to|ring|phone)(?: me| us)?\b",
        r"\bno more (?:calls|texts|messages|whatsapp|emails|letters)\b|\bonly contact me\b|\bcontact me by \w+ only\b",
        r"\bleave me alone\b|\bnot supposed to be (?:calling|contacting|texting)\b|\bcease and desist\b",
    ),
    Label.WRONG_PARTY: (
        r"\bwrong (?:number|person|guy|lady|house|address)\b|\bno \w+ here\b|\bnobody (?:by that name|called)\b",
        r"\bdo not know (?:any|anyone|a|the person|who|him|her|them)\b|\bnever heard of\b",
        r"\b(?:does not|do not|no longer) live here\b|\bmoved out\b|\bnew number\b",
        r"\b(?:in error|by mistake)\b|\bnot the person\b|\bmy name is not\b|\bthis is not (?!my|mine|right|correct|true|fair|the|a|an|it|what|me|him|her)[a-z]+$",
    ),
    Label.DECEASED: (
        rf"\b(?:he|she|they|him|her) (?:is |has |had |just )?{_DIED}\b",
        rf"\bmy {_FAMILY} (?:has |just |recently )?{_DIED}\b|\b{_FAMILY} (?:has |just )?(?:died|passed away)\b",
        rf"\b(?!{_SPOUSE}\b|i\b|you\b|we\b|just\b|has\b|had\b|recently\b|is\b|was\b|who\b)[a-z]+ (?:has |just )?(?:died|passed away)\b",
        r"\b(?:the|my|our) late (?!fee|fees|charge|charges|payment|payments|interest)|\bexecutor\b|\bestate\b|\baccount holder (?:has )?(?:died|passed)\b",
    ),
    Label.CALLBACK: (
        r"\bcall (?:me |us )?(?:back|later|tomorrow|after|in|on|at|this|next|about)\b|\bcall me\b(?! (?:again|at work))",
        r"\b(?:text|message|email|ring) me (?:later|tomorrow|back|after|in)\b",
        r"\bcan not (?:talk|speak)\b|\bbusy\b|\bin a meeting\b|\bdriving\b|\bbad time\b|\bnot a good time\b|\bcall back\b",
    ),
    Label.CANCEL_SERVICE: (
        r"\bcancel(?:l?ing)? (?:my|the|this|our|your|it|that|whole|second|membership|subscription|account|policy|service|contract)\b",
        r"\b(?:want|like|need) to cancel\b|\bterminate (?:my|the|our)\b",
    ),
    Label.QUESTION: (
        r"\bwhat is (?:this|that|it|the \w+)(?: \w+)?(?: even)? for\b|\bwhat (?:is|are) (?:this|these|the) (?:charge|fee|charges|fees)\b",
        r"\bhow much\b|\bwhat do i owe\b|\bwhat i owe\b|\bwhich (?:invoice|bill|account|policy|one)\b",
        r"\bwhat is (?:the|my) (?:balance|total|amount|exact amount|final amount)\b|\bthe total with\b",
        r"\b(?:confirm|check)(?: my| the)? balance\b|\bbalance on it\b|\brelates? to\b|\bwhy is (?:there|it)\b",
        r"\bdoes it stop\b|\bcost cent(?:re|er)\b|\breissue\b|\bwhat (?:is|was) (?:it|this) (?:about|for)\b",
        r"\bwhat is (?:this|that|the)\b.*\b(?:fee|charge|amount|payment|bill|invoice)\b|\bwhy (?:is|are) there\b",
        r"\btell me (?:what|how|which|the)\b|\bwhat (?:are|were) the (?:fees|charges)\b|\bwhat the \w+ (?:is|was) for\b",
        r"\bfactura en\b",
    ),
    Label.HUMAN_AGENT: (
        r"\b(?:real|actual|live) (?:person|human|agent|people)\b|\bhuman being\b",
        r"\b(?:speak|talk|chat) (?:to|with) (?:a |an |your )?(?:someone|somebody|person|human|manager|supervisor|agent|representative|rep|operator)\b",
        r"\bput me through\b|\btransfer me\b|^(?:agent|operator|representative|human)(?: \w+)*$|\bnot (?:a |another |talking to a )?(?:bot|robot|automated)\b",
        r"\bget someone who\b|\bsomeone who speaks\b",
    ),
    Label.LANGUAGE: (
        rf"\b(?:habla|hablas|hablan|speak|speaks|speaking) (?:\w+ )?{_LANGS}\b|\bno hablo\b|\bhabla espa",
        rf"\ben (?:español|espanol|francés|frances)\b|\b{_LANGS} (?:please|por favor|porfa)\b|\bin {_LANGS}\b",
        r"\bmy english (?:is )?(?:not|no)\b|\benglish (?:is )?not (?:so |very |good|great)|\bnot speak english\b",
        rf"\byou have {_LANGS}\b|\bprefiero\b.*\bespa|\bparle pas\b|\bcommuniquer en\b|\bfran[cç]ais\b",
    ),
    Label.REFUSE: (
        r"\b(?:not|never) (?:going to |gonna )?pay(?:ing)?\b|\brefuse to pay\b|\bno intention of paying\b",
        r"\bwill not (?:be )?pay(?:ing)?\b|\bi am paying that\b|\bgood luck\b|\bdo whatever you want\b",
        r"\bnot (?:giving|sending) you\b",
    ),
}

NEGATABLE: dict[Label, tuple[str, ...]] = {
    Label.DISPUTE: (r"\bdisput(?:e|ing)\b",),
    Label.BANKRUPTCY: (r"\bbankrupt(?:cy)?\b",),
    Label.REFUSE: (r"\brefus(?:e|ing)\b",),
    Label.HARDSHIP: (r"\bstruggling\b",),
}
NEGATION_CUE = re.compile(rf"\b{_NOT}\b(?:\s+\w+)?\s*$")

BLOCKERS: dict[Label, tuple[str, ...]] = {
    # "my lawyer told me to pay", "my brother is a lawyer and says it is legit": advice, not representation.
    Label.LEGAL: (
        r"\b(?:lawyer|attorney|solicitor)\b(?: \w+){0,3} (?:told|said|says|advised|advises)\b",
        r"\b(?:brother|sister|friend|dad|mum|mom|father|mother) is a (?:lawyer|attorney)\b",
    ),
    Label.DISPUTE: (r"\bnot disputing\b", r"\bi am not refusing\b"),
    Label.REFUSE: (r"\bnot refusing\b",),
    Label.BANKRUPTCY: (r"\bnot (?:filing|going) (?:for )?bankrupt",),
}

OPT_OUT_KEYWORDS = frozenset(
    {
        "stop",
        "stop all",
        "stopall",
        "unsubscribe",
        "end",
        "quit",
        "cancel",
        "opt out",
        "optout",
        "revoke",
        "stop please",
        "please stop",
    }
)
AFFIRM_ONLY = frozenset(
    {
        "yes",
        "yeah",
        "yep",
        "yup",
        "ya",
        "yea",
        "sure",
        "ok",
        "okay",
        "correct",
        "right",
        "speaking",
        "si",
        "sí",
        "that is right",
        "that is correct",
        "yes please",
        "indeed",
        "affirmative",
        "yes it is",
        "it is",
        "uh huh",
    }
)
AFFIRM_PHRASES = re.compile(
    r"\b(?:yes|yeah|yep|yup|si)\b.{0,20}\b(?:speaking|this is (?:she|he|him|her|me|[a-z]+)|that is (?:me|correct|right)|"
    r"it is me|that is correct|correct|soy yo|go ahead|fine)\b|^(?:speaking|this is (?:she|he|him|her))\b|"
    r"^(?:yep|yes|yeah) (?:that is|thats|it is) me\b|\bsi soy yo\b"
)
DENY_ONLY = frozenset(
    {
        "no",
        "nope",
        "nah",
        "no it is not",
        "not me",
        "no thanks",
        "no thank you",
        "incorrect",
        "wrong",
        "no way",
        "negative",
    }
)
DENY_PHRASES = re.compile(
    r"^(?:no|nope|nah)\b.{0,12}\b(?:that is not|it is not|this is not|not (?:right|correct|my|me))\b|"
    r"\bthat is not (?:right|correct|true|my \w+)\b|\bit is not\b$|^(?:no|nope|nah),? (?:that|it) is not\b"
)
