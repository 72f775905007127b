"""Fallback channels: which channel a step uses when its own cannot reach the customer, or failed for good.

Pure. The planner records a step that left on a channel other than its own as `<step id>@<channel>` among
the case's completed steps, and loads which (step, channel) messages failed for good; from these two facts
alone this module says which step to send again and on which channel. A step is sent again only while the
ladder has not moved past it (no later step done): a failure found late never rewinds a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.strategy.case import CaseView
from arrears.strategy.schema import Channel, Step, Strategy

#: Separates a step id from the channel it left on; `@` never occurs in a step id (a slug).
MARKER = "@"


@dataclass(frozen=True, slots=True)
class Retry:
    """Send `step` again on `channel`; `rest` are the channels still left after it."""

    step: Step
    channel: Channel
    rest: tuple[Channel, ...]
    reason: str


def channel_order(step: Step) -> tuple[Channel, ...]:
    return (step.channel, *step.fallback_channels)


def tried_marker(step_id: str, channel: Channel) -> str:
    return f"{step_id}{MARKER}{channel.value}"


def is_marker(completed: str) -> bool:
    return MARKER in completed


def current_index(step: Step, done: frozenset[str]) -> int:
    """Position in the step's channel order of the latest channel it was sent on (0: its own)."""
    order = channel_order(step)
    return max((i for i in range(1, len(order)) if tried_marker(step.id, order[i]) in done), default=0)


def may_fall_back(strategy: Strategy, completed: frozenset[str] | set[str]) -> bool:
    """Whether a case with these completed steps could be sent a step again on a fallback channel: it did a
    step with fallbacks and the ladder has not moved past it. The planner reads failures only then."""
    if strategy.fallback_step_ids.isdisjoint(completed):
        return False
    done = [step.id for step in strategy.ordered_steps if step.id in completed]
    return done[-1] in strategy.fallback_step_ids  # the ladder's latest step done has fallbacks


def retries(strategy: Strategy, case: CaseView) -> tuple[Retry, ...]:
    """Steps whose latest message failed for good and that have a channel left, in ladder order."""
    failed = case.failed_channels
    if not failed:
        return ()  # the common case, a million times a run: nothing to look at
    done = case.completed_step_ids
    ordered = strategy.ordered_steps
    found: list[Retry] = []
    for index, step in enumerate(ordered):
        if not step.fallback_channels or step.id not in done:
            continue
        if any(later.id in done for later in ordered[index + 1 :]):
            continue  # the ladder has moved on past this step
        order = channel_order(step)
        at = current_index(step, done)
        if (step.id, order[at].value) not in failed or at + 1 >= len(order):
            continue
        why = f"step {step.id!r}: its {order[at].value} message failed; falling back to {order[at + 1].value}"
        found.append(Retry(step, order[at + 1], order[at + 2 :], why))
    return tuple(found)


def first_reachable(
    channels: tuple[Channel, ...], reachable: dict[Channel, bool]
) -> tuple[Channel | None, tuple[str, ...]]:
    """The first channel that can reach the customer, and why each one before it was skipped."""
    skipped: list[str] = []
    for channel in channels:
        if reachable.get(channel, False):
            return channel, tuple(skipped)
        skipped.append(f"{channel.value}: no deliverable destination on file")
    return None, tuple(skipped)
