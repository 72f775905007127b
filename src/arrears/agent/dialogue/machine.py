"""The collections dialogue as an explicit state machine: ``start`` opens, ``step`` takes one understood
customer turn and returns the next state, the reply and the actions.

Order of checks in every turn, most protective first: card data (stop, refuse, offer the link), escalation
labels (stop collecting, hand to a person), contact refusal and wrong party, then the stage's own logic.
Nothing about the debt is said before right-party verification succeeds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from arrears.agent.dates import find_dates, prepare
from arrears.agent.dialogue import negotiate, speech
from arrears.agent.dialogue.bargain import read_proposal
from arrears.agent.dialogue.identity import identity_matches
from arrears.agent.dialogue.model import (
    Action,
    CaseContext,
    ConversationState,
    IdentityFailed,
    MarkWrongNumber,
    OpenTask,
    RecordPromise,
    Routing,
    ScheduleCallback,
    SendPaymentLink,
    Stage,
    Step,
    StopContact,
    Turn,
    Urgency,
    WarmTransfer,
)
from arrears.agent.dialogue.turns import finish as _finish
from arrears.agent.dialogue.turns import say as _say
from arrears.agent.dialogue.turns import summary as _summary
from arrears.agent.labels import ESCALATION, Label, rank
from arrears.agent.understand import Understanding
from arrears.core.money import Money, MoneyError

_HIGH = frozenset({Label.VULNERABLE, Label.DECEASED, Label.LEGAL, Label.BANKRUPTCY})


_w = speech.words


def start(ctx: CaseContext) -> Step:
    """The opening turn: AI disclosure, who is calling, and who we want; nothing about the debt."""
    opened = ConversationState(language=speech.opening_language(ctx))
    reply = _w(opened).opening(ctx)
    return Step(replace(opened, transcript=(Turn("agent", reply),)), reply, ())


def _money(u: Understanding, ctx: CaseContext) -> Money | None:
    if u.amount is None or (u.currency not in (None, ctx.balance.currency)):
        return None
    try:
        return Money.parse(u.amount, ctx.balance.currency)
    except MoneyError:
        return None


def _escalate(state: ConversationState, ctx: CaseContext, label: Label) -> Step:
    urgency = Urgency.HIGH if label in _HIGH else Urgency.NORMAL
    summary = _summary(state, ctx, f"Escalated for {label.value}; no collection attempted after it")
    other = state.language if state.language not in speech.SPOKEN else None  # a person who speaks it
    actions: list[Action] = [OpenTask(label.value, summary, urgency, language=other)]
    transfer = ctx.staff_available and label is not Label.CEASE_CONTACT
    if label is Label.CEASE_CONTACT:
        actions.append(StopContact(ctx.channel))
    elif transfer:
        actions.append(WarmTransfer(summary))
    else:
        actions.append(ScheduleCallback(label.value))
    reply = _w(state).escalation(label, transfer, ctx.callback_number)
    next_step = "warm transfer to staff" if transfer else f"human task: {label.value}"
    return _finish(state, ctx, reply, tuple(actions), Routing.ESCALATED, next_step, urgency=urgency)


_COLLECTING = frozenset({Stage.ASK, Stage.PROMISE_CONFIRM, Stage.PLAN_CONFIRM, Stage.SETTLE_CONFIRM})
"""Where a turn's labels decide the next collection step. (Asked for a date or an amount, the slot decides,
and a turn without it is asked again anyway.)"""


def _unsure(state: ConversationState, ctx: CaseContext) -> Step:
    """The model could not read a turn with confidence and found no escalation in it: collection does not
    go on a guess. First time, one clarifying question; unsure again, a person reads the turn (quoted in
    the task) and the conversation ends without any collection step."""
    if not state.clarifying:
        return _say(state, _w(state).clarify(), clarifying=True)
    last = next((t.text for t in reversed(state.transcript) if t.speaker == "customer"), "")
    summary = _summary(state, ctx, f'Could not read with confidence, twice; the turn to read: "{last[:300]}"')
    return _finish(
        state,
        ctx,
        _w(state).unsure_handoff(),
        (OpenTask("unsure reading", summary, Urgency.NORMAL),),
        Routing.SENT_TO_REVIEW,
        "a person to read the customer's words",
        urgency=Urgency.NORMAL,
    )


def _locked_out(state: ConversationState, ctx: CaseContext, failed: tuple[Action, ...] = ()) -> Step:
    """Too many failed answers for this customer: say nothing about the account, point to a person, and
    (on the failure that reached the limit) open the task that asks one to make contact."""
    next_step = "identity locked out: a person to contact the customer"
    actions: tuple[Action, ...] = failed
    if failed:
        summary = _summary(state, ctx, f"Identity locked out after {ctx.identity_limit} failed answers")
        actions += (OpenTask("identity_locked", summary, Urgency.NORMAL),)
    reply = _w(state).identity_locked(ctx.callback_number)
    return _finish(state, ctx, reply, actions, Routing.SENT_TO_REVIEW, next_step, urgency=Urgency.NORMAL)


def _verify(state: ConversationState, u: Understanding, ctx: CaseContext) -> Step:
    if ctx.failed_identity >= ctx.identity_limit:
        return _locked_out(state, ctx)
    if identity_matches(u.redacted, ctx):
        reply = " ".join([*ctx.disclosures, _w(state).balance(ctx)])
        return _say(state, reply, stage=Stage.ASK, verified=True, attempts=0)
    failed: tuple[Action, ...] = (IdentityFailed(),)
    if ctx.failed_identity + 1 >= ctx.identity_limit:
        return _locked_out(state, ctx, failed)
    if state.attempts + 1 >= ctx.max_attempts:
        return _finish(
            state, ctx, _w(state).identity_failed(), failed, Routing.RETRIED, "identity not confirmed"
        )
    return _say(state, _w(state).identity_retry(ctx), failed, attempts=state.attempts + 1)


def _reprompt(state: ConversationState, ctx: CaseContext, question: str) -> Step:
    if state.attempts + 1 >= ctx.max_attempts + 1:
        return _finish(
            state,
            ctx,
            _w(state).give_up(),
            (ScheduleCallback("no usable answer"),),
            Routing.RETRIED,
            "retry later",
        )
    return _say(state, f"{_w(state).reprompt()} {question}", attempts=state.attempts + 1)


def _after_draft(state: ConversationState, ctx: CaseContext) -> Step:
    """Ask for whatever the promise still lacks, then read it back."""
    limit = ctx.today + timedelta(days=ctx.max_promise_days)
    if state.draft_day is None:
        return _say(state, _w(state).ask_date(limit, ctx.locale), stage=Stage.PROMISE_DATE, attempts=0)
    if state.draft_instalments > 1 and state.draft_amount is not None:
        return _say(state, negotiate.plan_offer(state, ctx), stage=Stage.PLAN_CONFIRM, attempts=0)
    if state.draft_amount is None:
        return _say(state, _w(state).ask_amount(ctx), stage=Stage.PROMISE_AMOUNT, attempts=0)
    return _say(
        state,
        _w(state).read_back(state.draft_amount, state.draft_day, ctx.locale),
        stage=Stage.PROMISE_CONFIRM,
        attempts=0,
    )


def _set_day(state: ConversationState, ctx: CaseContext, day: date | None) -> ConversationState | str:
    if day is None:
        return state
    limit = ctx.today + timedelta(days=ctx.max_promise_days)
    if not ctx.today <= day <= limit:
        return _w(state).date_out_of_range(limit, ctx.locale)
    return replace(state, draft_day=day)


def _set_amount(state: ConversationState, ctx: CaseContext, amount: Money | None) -> ConversationState | str:
    if amount is None:
        return state
    if amount.minor > ctx.balance.minor:
        return _w(state).amount_too_high(ctx)
    if amount.minor <= 0:
        return state
    return replace(state, draft_amount=amount)


def _negotiate(state: ConversationState, move: negotiate.Move, ctx: CaseContext) -> Step:
    """A negotiation move made real: say it, book a settlement, or hand the customer's proposal over."""
    if isinstance(move, negotiate.Speak):
        return _say(state, move.reply, (), **move.changes)
    if isinstance(move, negotiate.PromiseInFull):
        return _after_draft(replace(state, **move.changes), ctx)  # type: ignore[arg-type]
    return negotiate.finished(state, move, ctx)


def _ask(state: ConversationState, u: Understanding, ctx: CaseContext) -> Step:
    labels = set(u.labels)
    proposal = read_proposal(u.redacted, _money(u, ctx), ctx.balance)
    if proposal.settlement:
        return _negotiate(state, negotiate.settle(state, proposal, ctx), ctx)
    if Label.PAYMENT_PLAN in labels:
        return _negotiate(state, negotiate.plan(state, proposal, u.date, ctx), ctx)
    if labels & {Label.PAY_NOW, Label.AFFIRM} and Label.PROMISE_TO_PAY not in labels:
        reply = f"{_w(state).link_sent(ctx.link_channel)} {_w(state).thanks_goodbye()}"
        return _finish(
            state, ctx, reply, (SendPaymentLink(ctx.link_channel),), Routing.BOOKED, "customer paying by link"
        )
    if Label.PROMISE_TO_PAY in labels:
        drafted = _set_day(state, ctx, u.date)
        drafted = _set_amount(drafted, ctx, _money(u, ctx)) if not isinstance(drafted, str) else drafted
        if isinstance(drafted, str):
            return _say(state, drafted, stage=Stage.PROMISE_DATE)
        return _after_draft(drafted, ctx)
    if Label.ALREADY_PAID in labels:
        summary = _summary(state, ctx, "Customer says the balance is already paid")
        return _finish(
            state,
            ctx,
            _w(state).paid_claim(),
            (OpenTask("payment claimed", summary, Urgency.NORMAL),),
            Routing.SENT_TO_REVIEW,
            "check the claimed payment",
            urgency=Urgency.NORMAL,
        )
    if Label.QUESTION in labels:
        return _say(state, _w(state).answer_question(ctx))
    if labels & {Label.REFUSE, Label.DENY}:
        if state.objection is None:
            reason = "refused" if Label.REFUSE in labels else "declined to pay today"
            return _say(state, _w(state).objection(True), objection=reason)
        return _finish(state, ctx, _w(state).objection(False), (), Routing.NURTURED, "continue the strategy")
    return _reprompt(state, ctx, _w(state).ask_pay_today())


def _promise_stage(state: ConversationState, u: Understanding, ctx: CaseContext) -> Step:
    labels = set(u.labels)
    if state.stage is Stage.SETTLE_CONFIRM:
        return _settle_stage(state, labels, ctx)
    declined = negotiate.declined(state, ctx, "payment_plan") if labels & {Label.DENY, Label.REFUSE} else None
    if declined is not None:  # a counter-offer turned down: the customer's own terms go to a person
        return _negotiate(state, declined, ctx)
    other_terms = Label.PAYMENT_PLAN in labels or (u.amount is not None and Label.AFFIRM not in labels)
    if state.stage is Stage.PLAN_CONFIRM and other_terms:
        proposal = read_proposal(u.redacted, _money(u, ctx), ctx.balance)  # a counter-proposal
        return _negotiate(state, negotiate.plan(state, proposal, u.date, ctx), ctx)
    if state.stage is Stage.PROMISE_CONFIRM or state.stage is Stage.PLAN_CONFIRM:
        if Label.AFFIRM in labels and state.draft_day and state.draft_amount:
            every = state.draft_every_days
            promise = RecordPromise(state.draft_day, state.draft_amount, state.draft_instalments, every)
            if state.draft_instalments > 1:
                reply = _w(state).plan_recorded(state.draft_amount, state.draft_instalments, ctx.locale)
            else:
                reply = _w(state).promise_recorded(state.draft_amount, state.draft_day, ctx.locale)
            return _finish(
                state,
                ctx,
                reply,
                (promise,),
                Routing.BOOKED,
                "remind before the promised date",
                promise=promise,
            )
        if labels & {Label.DENY, Label.REFUSE}:
            return _after_draft(replace(state, draft_day=None, draft_amount=None, draft_instalments=1), ctx)
        return _reprompt(state, ctx, _w(state).ask_note())
    day = u.date
    if day is None and state.stage is Stage.PROMISE_DATE:
        found = find_dates(prepare(u.redacted), ctx.today, "forward")
        day = found[-1].day if found and found[-1].day != date.min else None
    drafted = _set_day(state, ctx, day)
    if isinstance(drafted, str):
        return _say(state, drafted)
    amount = _money(u, ctx)
    if state.stage is Stage.PROMISE_AMOUNT and amount is None and Label.AFFIRM in labels:
        amount = ctx.balance
    drafted2 = _set_amount(drafted, ctx, amount)
    if isinstance(drafted2, str):
        return _say(state, drafted2)
    if drafted2 == state:
        ask = _w(state)
        question = ask.ask_date_again() if state.stage is Stage.PROMISE_DATE else ask.ask_amount_again()
        return _reprompt(state, ctx, question)
    return _after_draft(drafted2, ctx)


def _language_handoff(state: ConversationState, ctx: CaseContext, heard: str | None) -> Step:
    """Asked for another language, or written in one the agent does not speak: a person who speaks it
    calls back, and the language is recorded on the task and the outcome."""
    other = heard is not None and heard not in speech.SPOKEN
    summary = _summary(
        state, ctx, "Writes in a language the agent does not speak" if other else "Needs another language"
    )
    return _finish(
        state,
        ctx,
        _w(state).language_handoff(),
        (
            OpenTask("language", summary, Urgency.NORMAL, language=heard if other else None),
            ScheduleCallback("language"),
        ),
        Routing.SENT_TO_REVIEW,
        "contact in the customer's language",
        urgency=Urgency.NORMAL,
    )


def _card_refused(state: ConversationState, ctx: CaseContext) -> Step:
    """Card data: stop, refuse, and (verified, once) send the payment link instead."""
    if state.verified and not state.link_sent:
        link = (SendPaymentLink(ctx.link_channel),)
        return _say(state, _w(state).card_refused(ctx.link_channel), link, link_sent=True)
    return _say(state, _w(state).card_refused(ctx.link_channel if state.link_sent else None))


def _settle_stage(state: ConversationState, labels: set[Label], ctx: CaseContext) -> Step:
    if Label.AFFIRM in labels and state.draft_day and state.draft_amount:
        return _negotiate(state, negotiate.settle_confirmed(state, ctx), ctx)
    if labels & {Label.DENY, Label.REFUSE}:
        declined = negotiate.declined(state, ctx, "settlement")
        if declined is not None:
            return _negotiate(state, declined, ctx)
        return _finish(state, ctx, _w(state).objection(False), (), Routing.NURTURED, "continue the strategy")
    return _reprompt(state, ctx, _w(state).ask_send_link())


def step(state: ConversationState, u: Understanding, ctx: CaseContext) -> Step:
    """One customer turn. ``u`` must come from ``understand`` on that turn (its redacted text is the only
    form of the turn that is kept)."""
    if state.stage is Stage.ENDED:
        return Step(state, "", ())
    heard = speech.heard_language(u.redacted)
    state = replace(
        state,
        transcript=(*state.transcript, Turn("customer", u.redacted)),
        labels=tuple(dict.fromkeys((*state.labels, *u.labels))),
        language=heard or state.language,  # answered in the language written (English if not spoken)
    )
    labels = set(u.labels)
    if u.contains_card:
        return _card_refused(state, ctx)
    escalations = sorted(labels & ESCALATION, key=rank)
    if escalations:
        return _escalate(state, ctx, escalations[0])
    if Label.OPT_OUT in labels:
        return _finish(
            state,
            ctx,
            _w(state).unsubscribed(),
            (StopContact(ctx.channel),),
            Routing.CLOSED,
            "opted out of this channel",
        )
    if Label.WRONG_PARTY in labels or (state.stage is Stage.OPENING and Label.DENY in labels):
        return _finish(
            state, ctx, _w(state).wrong_party(), (MarkWrongNumber(),), Routing.CLOSED, "wrong number"
        )
    if Label.LANGUAGE in labels or (heard is not None and heard not in speech.SPOKEN):
        return _language_handoff(state, ctx, heard)
    if Label.CALLBACK in labels:
        return _finish(
            state,
            ctx,
            _w(state).callback_ok(),
            (ScheduleCallback("customer asked"),),
            Routing.RETRIED,
            "call back later",
        )
    if u.unsure and state.stage in _COLLECTING:
        return _unsure(state, ctx)
    state = replace(state, clarifying=False)
    if state.stage is Stage.OPENING:
        if Label.AFFIRM in labels and ctx.failed_identity >= ctx.identity_limit:
            return _locked_out(state, ctx)
        if Label.AFFIRM in labels:
            return _say(state, _w(state).ask_identity(ctx), stage=Stage.VERIFY, attempts=0)
        return _reprompt(state, ctx, _w(state).ask_who(ctx))
    if state.stage is Stage.VERIFY:
        return _verify(state, u, ctx)
    if state.stage is Stage.ASK:
        return _ask(state, u, ctx)
    return _promise_stage(state, u, ctx)
