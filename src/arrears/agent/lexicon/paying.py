# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Patterns of the labels about paying: pay now, promise, plan, already paid, refuse.

Tense carries the meaning here: "pay" with a time word is a promise, "paid" is a payment already made, a
desire to pay now with no later time is ``pay_now``. Phrasings are built from the word classes in vocab.py.
"""

from __future__ import annotations

from arrears.agent.labels import Label
from arrears.agent.lexicon.vocab import GAP, MOD, OBJ_NOT_MONEY, PAID, PAYV, SUBJ, WHEN

_NUMW = r"(?:\$|£|€|₹|\d|a |an |one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
_NOW = r"(?:now|right now|right away|straight away|straightaway|immediately|in one go|this minute|online|over the phone)"
_WHO = r"(?:i|we|she|he|they|wife|husband|partner|son|daughter|mum|mom|dad|mother|father|brother|sister|accountant|bank|office|team|company)"
_PAYNOUN = r"(?:payment|payments|funds|money|cheque|check|transfer|remittance|amount|balance|invoice|invoices|bill|dues|it|this|that|everything|the rest|the lot|debt|premium|account|sum)"
_PASSIVE = r"(?:sent|made|released|left|went out|processed|cleared|paid|settled|transferred|wired|remitted|taken care of|sorted)"
_PAST_NOT_FUTURE = r"(?<!get )(?<!getting )(?<!gets )(?<!got )(?<!be )(?<!been )(?<!will )(?<!to )"

PAYING: dict[Label, tuple[str, ...]] = {
    Label.PAY_NOW: (
        r"\b(?:send|text|email|give|share|get|forward|whatsapp|drop)(?: me| us)?(?: you?r?| over)?(?: the| a| your)? (?:payment |pay |secure |online )?link\b",
        r"\blink to pay\b|\bpay(?:ment)? link\b",
        rf"\b(?:pay|settle|clear)(?: it| this| that| my| the| off| it all| all| everything)?(?: off)?(?: full| whole| entire)?(?: balance| amount| bill| invoice| lot| everything| what is left| the rest| thing)? (?:right )?{_NOW}\b",
        rf"\bget (?:it|this|that|everything|the \w+) (?:paid|settled|cleared)(?: off)? (?:today|{_NOW})\b",
        r"\b(?:i want|i would like|i d like|we would like|ready|happy|like|keen|wish) to (?:pay|settle up|make (?:a |the )?payment|clear (?:it|this|the)|get (?:this|it) paid)\b(?! (?:on|by|next|in|when|after|before|at the end)\b)",
        r"\bhow (?:can|do|should|would) (?:i|we) (?:pay|make (?:a |the )?payment|settle|send (?:the |you )?(?:money|payment))\b",
        r"\bwhere (?:do|can|should) (?:i|we) (?:enter|put|pay|type|send)\b",
        r"\b(?:bank|account|payment|banking|upi|remittance) details\b|\b(?:send|share|give)(?: me| us)? the details\b",
        r"\bpay (?:it |this |the \w+ )?(?:by|via|over|online|with) (?:card|transfer|bank|phone|the phone|paypal|debit|upi)",
        r"\b(?:take|make) (?:a |the )?payment (?:now|today|over the phone)\b",
        r"\btake (?:the )?(?:payment|money|it) (?:from|off|out of) my (?:\w+ )?card\b|\bcharge (?:it to )?my (?:\w+ )?card\b",
        r"(?<!no )\b(?:way|ways|options?) (?:to|i can|we can|of) pay(?:ing)?\b",
        r"\b(?:quiero|puedo) pagar(?: ahora| ya)?\b(?! el)",
        r"\benlace\b",
    ),
    Label.PROMISE_TO_PAY: (
        rf"{SUBJ}(?: \w+)? {MOD} {GAP}{PAYV}\b",
        rf"^{MOD} (?!you\b|u\b){GAP}{PAYV}\b",
        rf"{SUBJ} will (?:(?!not\b|never\b)\w+ ){{0,8}}(?:pay|paying|send{OBJ_NOT_MONEY}|sending{OBJ_NOT_MONEY}|transfer|transferring)\b",
        rf"{SUBJ} (?:am|are) (?:(?:definitely|probably|hopefully) )?(?:paying|sending{OBJ_NOT_MONEY}|transferring|settling|clearing)\b",
        rf"{SUBJ}(?: will| ll)? (?:pay|send|transfer)(?: it| this| that| you)? (?:on|by|next|this|tomorrow|after|before|when|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
        rf"\bwill (?:pay|send{OBJ_NOT_MONEY}|transfer|settle|clear|remit)\b",
        rf"\b(?:pay|paying|send{OBJ_NOT_MONEY}|sending{OBJ_NOT_MONEY}|transfer|wire|settle|clear|remit|sort it|sort it out|drop it in|drop it off|do it|do half|do the rest|do the balance)\b(?: \S+){{0,5}}? {WHEN}\b",
        r"\bpromise(?:d)? (?:to |i will |i will )?(?:pay|send|clear|settle)\b|\byou have my word\b",
        rf"\b{_PAYNOUN}(?: \S+){{0,4}}? (?:will|should|shall|is going to|is due to|is set to|is scheduled to|are scheduled to|will be able to)(?: definitely| probably| hopefully)? (?:be )?(?:paid|settled|included|processed|sent|released|transferred|cleared|remitted|made|reach|arrive|land|follow|go out|hit|be with you|with you|in your account|in the post)\b",
        rf"\b{_PAYNOUN}(?: \w+){{0,3}}? (?:has been|is|have been|are) (?:now )?(?:scheduled|approved|booked|queued|set up|lined up|released for)\b(?! (?:but|and) (?:not|never))",
        r"\b(?:payment|funds|cheque|check|money|transfer|remittance) (?:will |should )?(?:go|goes|going) out\b",
        rf"\b{_PAYNOUN}(?: \S+){{0,3}}? (?:is|are) being (?:sent|posted|processed|paid|transferred|released|wired|mailed|arranged)\b",
        r"\bexpect (?:the |our |your |a )?(?:funds|payment|money|transfer|remittance|cheque|check)\b",
        r"\b(?:ap|payment|weekly|monthly|pay|cheque|check|bacs|supplier|payables) (?:run|batch|cycle)\b",
        rf"\b(?:can|could|will|should) (?:probably |prob |maybe |definitely |def |only |just )?(?:do|manage|spare) (?:like |about |maybe |around |roughly )?{_NUMW}",
        r"\byou will (?:have|get|receive|see) (?:it|the money|the payment|your money|payment|the funds|the cash|the rest)\b",
        r"\bwait (?:until|till|til) .* (?:will )?pay\b|\bgive me (?:until|till|til|to) \w+\b",
        r"\bpuedo pagar el\b",
    ),
    Label.PAYMENT_PLAN: (
        r"\bpayment plan\b|\brepayment plan\b|\binstal?l?ment plan\b|\bpayment arrangement\b|\bpayment schedule\b|\barrangement\b",
        r"\binstal?l?ments?\b|\btranches?\b",
        r"\bmonthly payments?\b(?! run)|\bweekly payments?\b(?! run)|\bsmaller (?:payments?|amounts|chunks)\b|\bpart payments?\b",
        r"\b(?:pay|do|afford|manage|offer|accept|give|send|put)(?: \S+){0,3} (?<!\bin )(?<!\bwithin )(?:a|per|each|every|every other|a calendar) (?:month|week|fortnight|2 weeks|two weeks|payday|pay day|paycheck)\b",
        r"\bpay(?:ing)?(?: it| this| that| the \w+)? (?:weekly|monthly|fortnightly|biweekly)\b|\b(?:weekly|monthly|fortnightly) (?:amounts|instal|direct debit)",
        r"\b(?:split|spread|break)(?: \w+){0,3} (?:over|into|out|up|across)\b",
        r"\bpay(?: it| this| the \w+)? off (?:in|over|bit|gradually|slowly)\b",
        r"\b(?:2|3|4|5|6|two|three|four|five|six|several|a few|equal|small) (?:halves|parts|chunks|payments|goes|bits|lots|stages)\b|\bin (?:bits|pieces|parts|chunks|stages|goes)\b",
        r"\b(?:bit by bit|little by little|a bit at a time|over time)\b",
        r"\b(?:over|across) (?:the next )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty four|a few|several|some|a couple of) (?:months|weeks|paydays|pay days|paychecks)\b",
        r"\bset up (?:a |an )?(?:direct debit|standing order|plan|schedule)\b",
        r"\bhalf now and the rest\b",
        r"\b(?:a bit|a little|something|some) (?:each|every) (?:month|week|payday)\b",
    ),
    Label.ALREADY_PAID: (
        rf"{_PAST_NOT_FUTURE}\b{_WHO}(?: have| had| has)?(?: already| just| only| actually| definitely| did| already just)? {PAID}\b",
        r"^(?:already )?paid\b|^(?:all |already )?(?:done|sorted)(?: already)?\b(?! \w+ \w+)",
        r"\balready (?:paid|sent|settled|cleared|transferred|done|sorted|taken care of|made (?:the|a) payment|gone (?:out|through))\b",
        rf"\b{_PAYNOUN}(?: for(?: \w+){{1,3}})?(?: \S+){{0,4}}? (?:was|were|has been|have been|had been|got)(?: already| all| fully| just)? {_PASSIVE}\b",
        rf"\b{_PAYNOUN}(?: \w+){{0,2}}? (?:is|are)(?: already| all| fully)? {_PASSIVE}\b(?! (?:on|by|next|in|within|this|tomorrow|when|once|after|at)\b)",
        r"\b(?:remittance|payment|transfer|money|funds|cheque|check|direct debit|standing order|instal?l?ment|dd) (?:sent|left|went out|went through|cleared|was taken|came out|has gone out|has cleared)\b",
        r"\b(?:made|did) the (?:transfer|payment)\b|\bpaid (?:by|via|with|through) (?:bacs|card|cheque|check|transfer|bank|direct debit|paypal|cash)\b",
        rf"{_PAST_NOT_FUTURE}\bpaid (?:it |this |that |you |the \w+ )?(?:in full|already|last|yesterday|on|weeks|days|ago|online|in cash|at)\b",
        r"\bya pagu[eé]\b|\bpagu[eé]\b|\bj ai (?:déjà |deja )?pay[ée]\b|\bhabe (?:\w+ ){0,3}(?:bezahlt|überwiesen)\b|\bj[aá] paguei\b|\bpaguei\b",
    ),
    Label.REFUSE: (
        r"\b(?:not|never) (?:going to |gonna )?pay(?:ing)?\b|\brefuse to pay\b|\bno intention of paying\b",
        r"\bwill not (?:be )?pay(?:ing)?\b|\bi am paying that\b|\bgood luck\b|\bdo whatever you want\b",
        r"\bnot (?:giving|sending) you\b|\bi (?:absolutely |flatly )?refuse\b",
        r"\b(?:never|not|no) (?:see|get|getting|seeing|receive|receiving) (?:a |one |any |another |your |my |a single )?(?:red )?(?:cent|penny|dime|money|payment|pound|dollar|rupee|thing)\b",
        r"\bnot (?:a|one|a single) (?:penny|cent|dime|pound|dollar|rupee)\b|\b(?:no|not a|fat) chance\b",
        r"\bnot (?:giving|paying) (?:you )?(?:anything|a thing|nothing)\b",
    ),
}
