"""The primitives every dialogue turn is built from: say something and move on, or finish with an outcome
(whose summary a person reads first). Shared by the machine and the negotiation moves."""

from __future__ import annotations

from dataclasses import replace

from arrears.agent.dialogue import replies
from arrears.agent.dialogue.model import (
    Action,
    CaseContext,
    ConversationState,
    EndConversation,
    Outcome,
    RecordPromise,
    Routing,
    Stage,
    Step,
    Turn,
    Urgency,
)
from arrears.agent.dialogue.speech import SPOKEN, name_of
from arrears.agent.labels import Label, rank


def say(state: ConversationState, reply: str, actions: tuple[Action, ...] = (), **changes: object) -> Step:
    new = replace(state, transcript=(*state.transcript, Turn("agent", reply)), **changes)  # type: ignore[arg-type]
    return Step(new, reply, actions)


def summary(state: ConversationState, ctx: CaseContext, note: str) -> str:
    said = ", ".join(label.value for label in state.labels) or "nothing recognised"
    who = "verified" if state.verified else "not verified"
    last = next((t.text for t in reversed(state.transcript) if t.speaker == "customer"), "")
    debt = (
        f" Balance {replies.say_money(ctx.balance, ctx.locale)},"
        f" {replies.say_days(ctx.days_overdue, ctx.locale)} overdue."
        if state.verified
        else ""
    )
    language = "" if state.language in SPOKEN else f" Writes in {name_of(state.language)}."
    return f'{ctx.customer_name} ({who}) said: {said}. {note}.{debt}{language} Last words: "{last[:200]}"'


def finish(
    state: ConversationState,
    ctx: CaseContext,
    reply: str,
    actions: tuple[Action, ...],
    routing: Routing,
    next_step: str,
    *,
    urgency: Urgency = Urgency.LOW,
    promise: RecordPromise | None = None,
) -> Step:
    transcript = (*state.transcript, Turn("agent", reply))
    ended = replace(state, stage=Stage.ENDED, transcript=transcript)
    outcome = Outcome(
        labels=tuple(sorted(set(state.labels) - {Label.UNCLEAR}, key=rank)) or (Label.UNCLEAR,),
        urgency=urgency,
        objection=state.objection,
        promise=promise,
        next_step=next_step,
        routing=routing,
        summary=summary(ended, ctx, next_step),
        transcript=transcript,
        language=state.language,
    )
    return Step(ended, reply, (*actions, EndConversation()), outcome)
