# ruff: noqa: E501  (regex tables read best one phrase per line)
"""Patterns of the escalation labels: turns that must reach a person and never get a collection attempt.

Recall matters more than precision here (a missed bereavement or bankruptcy is worse than an unneeded
handoff), so each label is described by its meaning in several registers: plain speech, SMS, UK/US/Indian
English, and the accounts-payable language of business customers.
"""

from __future__ import annotations

from arrears.agent.labels import Label

FAMILY = r"(?:dad|father|mum|mom|mother|parent|grandmother|grandfather|grandma|grandpa|grandad|granddad|gran|nan|nana|brother|sister|uncle|aunt|auntie|cousin|friend|flatmate|roommate|tenant|landlord)"
SPOUSE = r"(?:husband|wife|partner|son|daughter|child|baby|boyfriend|girlfriend|fiance|fiancee)"
DIED = r"(?:passed away|passed on|passed|died|is dead|has died|deceased|is no longer with us|not with us anymore|not with us any more|no longer alive|is no longer alive|lost (?:his|her|their) (?:life|battle))"
_BILLING = r"(?:amount|rate|hourly rate|charge|charges|price|prices|balance|invoice|invoices|bill|bills|fee|fees|total|quantity|quantities|figure|figures|sum|statement|interest)"

ESCALATING: dict[Label, tuple[str, ...]] = {
    Label.DISPUTE: (
        r"\bnot (?:my|mine|our|ours)\b(?! (?:address|date|name|number|phone|fault|problem|first|main|only|job|place|concern|business))",
        r"\b(?:is|was) not mine\b",
        r"\bnever (?:ordered|had|received|signed|opened|used|agreed|authori[sz]ed|bought|got|took|made|requested|asked|applied|subscribed|registered|joined)\b",
        r"\bnot (?:received|got|had) (?:the|any|our|my) (?:goods|item|items|order|product|products|service|parcel|delivery|package|invoice|stock|materials|shipment)\b",
        r"\b(?:do|does|did) not owe\b|\bowe (?:you )?nothing\b|\bnothing to pay\b",
        rf"\b(?:wrong|incorrect|inaccurate|inflated|made up) {_BILLING}\b",
        rf"\b{_BILLING}(?: \w+){{0,4}}? (?:is|are|was|were|seems|looks) (?:\w+ )?(?:wrong|incorrect|too high|way off|off|not right|inaccurate|inflated|a mistake|an error)\b",
        rf"\b(?:does not|do not|did not) (?:match|agree with|tally with|correspond to)\b|\b{_BILLING} (?:is|was|are) (?:way )?(?:off|wrong)\b",
        r"\bbilled (?:at|for) the wrong\b|\bdouble (?:charged|billed)\b|\b(?:charged|billed) (?:me |us )?(?:twice|double|two times|again for)\b|\bduplicate\b|\bovercharg",
        r"\bcharging (?:me|us) again\b|\bsupposed to be\b(?: \w+){0,3} (?:not|\d)",
        r"\bfraud\b|\bfraudulent\b|\bidentity theft\b|\bscam\b|\bin my name\b|\bwithout my (?:knowledge|consent|permission|authori[sz]ation)\b|\bused my (?:details|identity|name|card)\b|\bstolen identity\b",
        r"\b(?:proof|evidence)\b|\bin writing\b.*\bowe\b|\bvalidat(?:e|ion)\b|\bverify the debt\b|\b(?:see|copy of|show me|send me) the (?:signed )?(?:contract|agreement|paperwork|credit agreement)\b",
        r"\b(?:i|we) (?:already )?cancell?ed\b|\bstill (?:being )?(?:billed|charged|sending)\b|\bwhy am i (?:still )?being (?:billed|charged)\b|\bkeep (?:charging|billing)\b",
        r"\bcredit note\b|\bcorrected invoice\b|\brefund\b|\breturned (?:the|it|them|everything)\b|\balready (?:been )?credited\b",
        r"\bshould not be (?:on|there|charged|billed|on the \w+)\b|\b(?:should|ought to) have been (?:credited|refunded|removed|cancell?ed|waived)\b",
        r"\b(?:has not|have not|never|does not|did not) (?:worked|work|arrived|turned up|been delivered|showed up|shown up)\b|\bnever (?:got|received) (?:the|my|our|it|them|any)\b|\bnever got\b",
        r"\bnot (?:be )?paying\b.*\buntil\b|\bon hold\b(?: \w+){0,4}\b(?:until|because|as|since|pending)\b|\binvoice is on hold\b",
        r"\b(?:do not|did not|can not) (?:recogni[sz]e|authori[sz]e)\b",
        r"\bdisput(?:e|ing)\b|\bcontest(?:ing)?\b|\bsupposedly\b",
        r"\bnothing to do with (?:me|us)\b|\b(?:meant|supposed) to be (?:free|included|cancell?ed|covered)\b|\bpromised (?:a |me |us )?(?:a )?(?:discount|refund|credit|free)\b",
        r"\b(?:arrived|came|was|were|is|are) (?:damaged|broken|faulty|defective)\b|\bwithhold(?:ing)?\b|\b(?:looks|seems) (?:all )?wrong\b",
        r"\b(?:billed|charged|invoiced) (?:me |us )?for (?:something|things|stuff|a service|an item|goods)\b|\bnot (?:what|the) (?:i|we) (?:agreed|ordered|signed up for|asked for)\b|\b(?:bill|invoice|charge) is a mistake\b",
    ),
    Label.HARDSHIP: (
        r"\blost (?:my|our|his|her|the) (?:job|work|income|biggest client|business|contract|position|shifts)\b|\blaid off\b|\bredundan|\bunemployed\b|\bjobless\b",
        r"\bno (?:work|job|income)\b|\bout of work\b|\boff work\b|\bsigned off\b|\bsick (?:leave|pay|note)\b|\bfurlough|\b(?:got |been |was )?(?:fired|sacked|let go)\b",
        r"\b(?:hours|shifts|pay|wages|salary)(?: \w+)? (?:got |were |have been |has been |was |been )?(?:cut|reduced|slashed|halved)\b|\bcut (?:my|our|his|her) (?:hours|shifts|pay)\b",
        r"\bcan not afford\b|\bcan not pay (?:right now|now|at the moment|this month|it right now|anything|at present)\b|\bcan not make (?:the |any |this )?payments?\b",
        r"\b(?:unable|not able|not in a position|in no position|not in the position) to (?:pay|afford|make (?:a |the |any )?payments?|settle|clear|meet)\b",
        r"\b(?:do not|just do not|did not|simply do not|have not|has not) (?:got |have )?(?:it|the money|any money|enough|that kind of money|the funds|any funds|the cash|any cash|money)\b|\bno (?:money|funds|cash)\b|\bhave not got (?:it|the money|any|enough)\b",
        r"\b(?:money|cash|things|finances|budget)\b(?: \w+){0,3} tight\b|\btight (?:on|for) (?:money|cash)\b",
        r"\bbehind on\b|\bstruggling\b|\bbarely (?:covering|making|getting|surviving)\b|\bdrowning\b|\bscraping by\b|\bhead above water\b|\bmake ends meet\b",
        r"\b(?:really|very|so) short\b|\bshort this month\b|\bmedical bills\b|\bdivorce\b|\bbenefits\b|\buniversal credit\b|\bwelfare\b|\bfood bank\b",
        r"\b(?:till|until) my next (?:check|cheque|paycheck|payday)\b|\bskint\b|\bpenniless\b|\bhard up\b|\bstrapped\b",
        r"\b(?:am|are|is|totally|completely|flat|so|really|pretty|proper) broke\b",
        r"\bcash ?flow\b|\bcash crunch\b|\bfinancial (?:difficult|hardship|trouble|problem|situation|strain|crisis)|\bmoney (?:problems|troubles|worries|issues)\b|\bhard times\b|\btough (?:times|time financially)\b",
        r"\b(?:salary|wages|pay|paycheck|income)(?: \w+){0,2} (?:has not|have not|did not|is not|was not|not) (?:come|been paid|arrived|been credited|come in)\b|\b(?:i|we) have not been paid\b",
        r"\b(?:business|work|trade|sales|orders)(?: \w+)? (?:has been|is|have been|are|has gone|went|have gone|has|have)(?: very| really| so)? (?:slow|quiet|dead|dried up|down|under|bust)\b|\bwent (?:under|bust)\b|\bdried up\b|\b(?:shop|restaurant|business|company|store|salon|cafe) (?:closed|shut|folded)\b",
        r"\bnothing (?:left|coming in)\b|\bnot in a position to pay\b|\bcan not make (?:payroll|rent|the rent|ends meet)\b",
        r"\b(?:really |very )?(?:bad|tough|rough|hard|difficult|terrible) (?:quarter|month|year|patch|few months|spell)\b|\bmaternity leave\b|\bpaternity leave\b",
        r"\bbetween jobs\b|\bzero hours\b|\bno shifts\b|\bfixed income\b|\bpensioner\b|\b(?:on|only have|only get|live on) (?:a|my|the state) pension\b|\bfunding (?:was |has been |got )?(?:cut|stopped|pulled)\b|\b(?:ran|run|running|completely|totally) out of (?:money|cash|funds)\b|\bout of money\b",
        r"\b(?:no|low|little|reduced) income\b|\bnon ?existent\b|\bcost of living\b|\boverdrawn\b|\boverdraft\b|\bmaxed out\b|\bin debt\b|\bdebts\b|\bput food on\b|\bfeed (?:my|the|our) (?:kids|children|family)\b|\b(?:rent|food) and (?:food|rent|bills)\b",
        r"\bdebt management\b|\bdmp\b|\bstepchange\b|\bdebt (?:advice|charity|counsell?or|adviser|advisor)\b|\bcitizens advice\b|\bnational debtline\b|\bhardship\b|\bon my own with\b|\bsingle (?:mum|mom|parent|dad|father|mother)\b",
    ),
    Label.VULNERABLE: (
        rf"\bmy {SPOUSE} (?:just |recently )?{DIED}\b",
        r"\bcan not (?:deal|cope) with\b|\bdo not know what to do\b|\boverwhelmed\b|\bnot coping\b|\bcan not cope\b|\bstruggling to cope\b|\bfalling apart\b|\bend of my tether\b",
        r"\bdiagnosed\b|\bcancer\b|\bchemo|\bterminal(?:ly)? ill\b|\bin hospital\b|\bhospital\b|\bhospitali[sz]ed\b|\bstroke\b|\bsurgery\b|\b(?:an|my|major|the) operation\b|\bhospice\b|\bintensive care\b|\bseriously ill\b|\bheart attack\b|\bdialysis\b",
        r"\bmental health\b|\bdepress|\banxiety\b|\bsuicid|\bkill myself\b|\bend it all\b|\bself harm\b|\bbipolar\b|\bptsd\b|\bpanic attacks?\b|\bschizo",
        r"\b(?:do not|not) want to be here\b|\bnot in a good place\b|\b(?:nervous|mental) breakdown\b|\bhaving a breakdown\b|\bcrisis\b|\bdark place\b|\bgiv(?:e|ing) up on (?:everything|life)\b|\bno point (?:in )?(?:anything|living|going on)\b|\bcan not go on\b",
        r"\bdementia\b|\balzheimer|\blearning (?:difficult|disabilit)|\bdisabilit|\bdisabled\b|\bcarer\b|\bcaregiver\b|\bmemory (?:problems|loss)\b",
        r"\b(?:do not|did not) (?:really )?understand (?:what|these|this|the|any)\b|\bmy \w+ usually does\b|\b(?:hard|difficult) (?:for me )?to (?:read|understand|hear)\b",
        r"\babus(?:e|ive|ed)\b|\bdomestic violence\b|\bshelter\b|\brefuge\b|\bbereave|\bgriev|\bcoercive\b",
        r"\bwheelchair\b|\bblind\b|\bdeaf\b|\bpartially sighted\b|\bhearing impair|\bpregnan|\bunwell\b|\b(?:very|really|seriously|quite|terminally) (?:ill|sick|poorly)\b|\bill health\b|\bpoorly\b|\bfrail\b|\bpalliative\b|\bmultiple sclerosis\b|\bparkinson|\btumou?r\b|\bradiotherapy\b|\billness\b",
        r"\b(?:end|ending|take|taking) my (?:own )?life\b|\b(?:do not|not) want to (?:live|be alive)\b|\bthoughts of (?:ending|suicide|killing|hurting)\b|\bhurt myself\b|\bcontrols? (?:all )?(?:the|my|our) (?:money|finances|accounts)\b|\bfinancial abuse\b",
        r"\bi am (?:8|9)\d\b|\b(?:8|9)\d years old\b|\belderly\b|\b(?:do not|can not|never) use (?:computers?|the internet|a computer|online banking|email|a smartphone)\b|\bcan not read\b|\bfeel(?:ing)? (?:really |very |so )?(?:low|hopeless|suicidal|desperate)\b",
        r"\bsectioned\b|\bpsychiatric\b|\brehab\b|\baddiction\b|\bgambling (?:problem|addiction)\b|\balcoholi|\bautis|\bfull time carer\b",
    ),
    Label.LEGAL: (
        r"\b(?:talk|speak|contact|go|write|send (?:it|this|everything)|direct (?:all |any )?(?:\w+ )?(?:correspondence|communication|enquiries|queries))(?: \w+)? (?:to|through|with) (?:my|our) (?:lawyer|attorney|solicitor|counsel|legal)\b",
        r"\b(?:lawyers?|attorneys?|solicitors?|counsel)(?: is| s| will| has been| are)? (?:handling|dealing|representing|be in touch|contact|in touch|looking into)\b",
        r"\b(?:attorney|lawyer|solicitor) handling\b|\brepresented by\b|\blegal representation\b|\blegal (?:advice|team|department|counsel|proceedings|aid|dept)\b",
        r"\b(?:sue|suing|lawsuit|legal action|take you to court|see you in (?:\w+ )*court|small claims)\b",
        r"\b(?:take|taking|drag|dragging|see|seeing|go|going|fight|fighting) (?:you |this |them |it |us )?(?:\w+ )?(?:to|in) (?:\w+ )?court\b|\bcourt (?:case|action|order|claim|proceedings|summons)\b",
        r"\b(?:breaking|against|breach of) the law\b|\bmy rights\b|\bconsumer rights\b|\bregulator\b|\bfinancial ombudsman\b|\blegal action\b",
        r"\bfair debt|\bfdcpa\b|\bviolat(?:e|ing|ion) (?:the|my)\b|\bcease and desist\b|\bharass|\bbreach of\b|\bunlawful\b|\billegal\b",
        r"\b(?:talk|talking|speak|speaking|consult|consulting|see|seeing|get|getting|instruct|instructing|hire|hiring|contact|contacting|call|calling|going) (?:to |with )?(?:a|an|our|my) (?:lawyer|attorney|solicitor|counsel|legal)\b|\bhear from (?:my|our) (?:lawyer|attorney|solicitor)s?\b",
        r"\bmy (?:bankruptcy |legal )?(?:lawyer|attorney|solicitor)s?\b|\b(?:report(?:ing)? you|ombudsman|trading standards|cfpb|attorney general|file a complaint|formal complaint)\b",
    ),
    Label.BANKRUPTCY: (
        r"\bbankrupt(?:cy)?\b|\bchapter (?:7|11|13|seven|eleven|thirteen)\b|\binsolven(?:t|cy)\b|\bliquidat(?:ion|or|ed)\b",
        r"\b(?:entered|in|into|gone into|go into) administration\b|\badministrators\b|\biva\b|\btrustee\b|\bwound up\b|\bwinding up\b",
        r"\breceivers?\b|\bceased trading\b|\binsolvency practitioner\b|\bgone (?:bust|under|into administration)\b|\bmade bankrupt\b|\bdeclared insolvent\b",
        r"\bdebt relief order\b|\bsequestration\b|\breceivership\b|\bconcurso\b|\bvoluntary arrangement\b|\bcva\b",
    ),
    Label.CEASE_CONTACT: (
        r"\b(?:stop|quit|cease|end) (?:calling|texting|messaging|emailing|contacting|writing|sending|ringing|phoning|harassing|hassling|bothering|pestering|chasing|hounding|spamming)\b",
        r"\b(?:do not|never) (?:call|contact|text|email|message|write to|ring|phone)(?: me| us)?\b",
        r"\b(?:cease|end|stop|halt) (?:all )?(?:communication|communications|contact|correspondence|calls)\b",
        r"\b(?:do not|not) (?:want|wish)(?: you| any| any more| anymore| more| further)*(?: to)? (?:call|calls|calling|text|texts|texting|message|messages|messaging|email|emails|emailing|contact|contacting|ring|ringing|phone|letters|hear from)\b",
        r"\bno more (?:calls|texts|messages|whatsapp|emails|letters)\b|\bonly contact me\b|\bcontact me by \w+ only\b|\b(?:email|text|write to|message|contact) (?:me|us) only\b|\bonly (?:by|in|via) (?:email|writing|post|letter|text)\b|\bin writing (?:only|from now on)\b|\bno (?:phone )?calls\b",
        r"\bleave me alone\b|\bnot supposed to be (?:calling|contacting|texting)\b|\bcease and desist\b|\btake (?:me|my number|us) off (?:your|the)\b|\bremove (?:me|my number|my details) from\b",
    ),
    Label.DECEASED: (
        rf"\b(?:he|she|they|him|her) (?:is |has |had |just )?{DIED}\b",
        rf"\bmy {FAMILY} (?:has |just |recently )?{DIED}\b|\b{FAMILY} (?:has |just )?(?:died|passed away|is no longer alive)\b",
        rf"\b(?:{FAMILY}|he|she) (?:has |just )?passed(?: on)?\b(?! (?:the|it|this|that|me|you|him|her|my|an?|out|by|over|through|away from)\b)|\b(?:his|her) affairs\b|\bthe customer (?:has |is )?(?:died|passed|deceased)\b",
        rf"\b(?!{SPOUSE}\b|i\b|you\b|we\b|just\b|has\b|had\b|recently\b|is\b|was\b|who\b)[a-z]+ (?:has |just )?(?:died|passed away)\b",
        r"\b(?:the|my|our) late (?!fee|fees|charge|charges|payment|payments|interest)|\bexecutor\b|\bestate\b|\baccount holder (?:has |is )?(?:died|passed|deceased)\b|\bdeath certificate\b|\bprobate\b|\bnext of kin\b",
    ),
    Label.CANCEL_SERVICE: (
        r"\bcancel(?:l?ing)? (?:my|the|this|our|your|it|that|whole|second|membership|subscription|account|policy|service|contract|plan)\b",
        r"\b(?:want|like|need|wish) to cancel\b|\bterminate (?:my|the|our|this)\b|\bi want to cancel\b|\bcancel (?:everything|all of it|the lot|all my)\b",
        r"\bwant out of (?:this|the|my|our)\b|\bstop (?:my|the|our|it) (?:\w+ )?from (?:renewing|auto renewing)\b|\bturn off (?:the )?auto ?renew|\bno longer want (?:the|this|my) (?:service|subscription|membership|account)\b",
        r"\b(?:close|end|stop|quit|discontinue|deactivate|shut|suspend|get rid of|get out of|exit|unsubscribe (?:me )?from)(?: \w+){0,2}? (?:my|the|this|our)(?: \w+)? (?:account|subscription|membership|contract|plan|policy|service|services|agreement|package|broadband|insurance)\b",
    ),
    Label.HUMAN_AGENT: (
        r"\b(?:real|actual|live) (?:person|human|agent|people)\b|\bhuman being\b",
        r"\b(?:speak|talk|chat|discuss (?:this|it|things|the matter)|deal) (?:\w+ ){0,2}?(?:to|with) (?:one of (?:your|the) )?(?:a |an |your |the |some )?(?:someone|somebody|person|human|manager|supervisor|agent|representative|rep|operator|advisor|adviser|member of|customer service|team leader|staff|boss|someone in charge|someone senior|superior)\b",
        r"\bput me through\b|\btransfer me\b|^(?:agent|operator|representative|human)(?: \w+)*$|\bnot (?:a |another |talking to a )?(?:bot|robot|automated)\b",
        r"\bis there (?:someone|somebody|anyone|anybody|a person|a human|a real person) (?:i can|i could|to|we can) (?:speak|talk|chat)\b|\b(?:connect|put|pass|transfer|send) me (?:to|through to|over to) (?:an? |the |your )?(?:agent|person|human|someone|operator|manager|advisor|adviser|representative|rep|supervisor)\b",
        r"\bhave (?:a|an|the|your) (?:manager|supervisor|person|human|real person|someone|advisor|adviser|agent) (?:call|ring|phone|contact)\b",
        r"\bget someone who\b|\bsomeone who speaks\b|\bcustomer (?:service|services|care|support)\b",
        r"\b(?:want|need|get me|give me|prefer|request|like) (?:a |an |the |your |to speak to a |to talk to a )?(?:person|human|manager|supervisor|team leader|representative|operator)\b|\bare you (?:a )?(?:bot|robot|machine|computer|real person|human)\b",
    ),
}
