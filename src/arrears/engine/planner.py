"""The planner: claim due cases, ask the strategy and the gate, write outbox rows in the same transaction.

A case is claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of planners share one database;
the idempotency key on each outbox row makes re-planning the same step a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, select, text, union_all, update
from sqlalchemy.orm import Session, sessionmaker

from arrears.casefacts.contact import choose_destination, gate_request
from arrears.casefacts.load import load_case_facts
from arrears.casefacts.model import CaseFacts
from arrears.casefacts.views import case_view
from arrears.cases.closing import close_cases
from arrears.compliance.model import ContactChannel, ContactGate, PriorContact, Verdict
from arrears.core import faults
from arrears.core.clock import Clock
from arrears.core.faults import FaultPoint
from arrears.engine.fallbacks import failed_channels
from arrears.engine.plan_writes import PlanWrites
from arrears.engine.unsent import attach_unsent_contacts
from arrears.store.bulk import lock_skipping_locked
from arrears.store.db import transaction
from arrears.store.models import Case, StrategyVersion
from arrears.strategy.actions import step_key
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.fallback import first_reachable, may_fall_back, tried_marker
from arrears.strategy.plan import Action, ActionKind, next_actions
from arrears.strategy.schema import Strategy

#: Case states the planner works; closed cases are never claimed.
PLANNABLE = ("open", "handed_off", "placed")

ProfileResolver = Callable[[CaseFacts], tuple[str, ...]]


@dataclass
class PlanStats:
    cases: int = 0
    actions: int = 0
    review: int = 0
    deferred: int = 0
    refused: int = 0
    tasks: int = 0
    closed: int = 0
    promises_broken: int = 0
    skipped: int = 0  # steps catch-up passed over (recorded as skipped)


class Planner:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        library: StrategyLibrary,
        gate: ContactGate,
        *,
        batch_size: int = 500,
        profiles_for: ProfileResolver | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.library = library
        self.gate = gate
        self.batch_size = batch_size
        self.profiles_for = profiles_for or (lambda _facts: ())
        self._customers: dict[str, list[CaseFacts]] = {}  # the current batch's cases, by customer
        self._failed: dict[str, frozenset[tuple[str, str]]] = {}  # the batch's failed (step, channel)

    def run_once(self) -> PlanStats:
        """Plan one batch of due cases in one transaction."""
        now = self.clock.now()
        stats = PlanStats()
        with transaction(self.sessions) as session:
            _steer_to_index_lookups(session)
            case_ids = list(session.scalars(_claim(session, now, self.batch_size)))
            if not case_ids:
                return stats
            facts = load_case_facts(session, case_ids, now)
            self._failed = self._failures(session, facts.values())
            self._customers = _by_customer(facts.values())
            attach_unsent_contacts(session, self._customers, now)
            writes = PlanWrites(now)
            review_budget = _review_budget(
                session, {(f.strategy_name, f.strategy_version) for f in facts.values()}, self.library
            )
            strategies: dict[tuple[str, int], Strategy] = {}
            for fact in facts.values():
                key = (fact.strategy_name, fact.strategy_version)
                strategy = strategies.get(key)
                if strategy is None:
                    strategy = strategies[key] = self.library.get(*key).strategy
                self._plan_case(fact, strategy, now, writes, review_budget, stats)
            writes.flush(session)
            _spend_review_budget(session, writes.review_used)
            if writes.closed:
                close_cases(session, writes.closed, now=now, reason="settled")
            stats.cases = len(facts)
            faults.reach(FaultPoint.PLAN_BEFORE_COMMIT)
        return stats

    def _failures(
        self, session: Session, facts: Iterable[CaseFacts]
    ) -> dict[str, frozenset[tuple[str, str]]]:
        """Failed messages of the batch's cases that could fall back (`strategy.fallback.may_fall_back`):
        no read at all for fresh cases, cases past their fallback steps, or strategies without any."""
        strategies: dict[tuple[str, int], Strategy] = {}
        wanted: list[str] = []
        for fact in facts:
            key = (fact.strategy_name, fact.strategy_version)
            strategy = strategies.get(key)
            if strategy is None:
                strategy = strategies[key] = self.library.get(*key).strategy
            if strategy.fallback_step_ids and may_fall_back(strategy, set(fact.completed_steps)):
                wanted.append(fact.case_id)
        return failed_channels(session, wanted) if wanted else {}

    def run_until_idle(self, max_batches: int = 1_000_000) -> PlanStats:
        total = PlanStats()
        for _ in range(max_batches):
            stats = self.run_once()
            if stats.cases == 0:
                break
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
        return total

    def _plan_case(
        self,
        facts: CaseFacts,
        strategy: Strategy,
        now: datetime,
        writes: PlanWrites,
        budget: dict[tuple[str, int], int],
        stats: PlanStats,
    ) -> None:
        view = case_view(facts, _case_contacts(facts))
        failed = self._failed.get(facts.case_id)
        if failed:
            view = replace(view, failed_channels=failed)
        plan = next_actions(strategy, view, now)
        if plan.close:
            writes.closed.append(facts.case_id)
            stats.closed += 1
            return
        completed = list(facts.completed_steps)
        if plan.ladder_shift_days is not None:
            facts.ladder_shift_days = plan.ladder_shift_days
        for passed in plan.passed_over:
            writes.skip(facts, passed, strategy)
            completed.append(passed.step_id)
            stats.skipped += 1
        wake = plan.wake_at
        status = facts.status
        if plan.promise_broken is not None and facts.promise is not None:
            writes.broken_promises.append(facts.promise.id)
            facts.broken_promises += 1
            stats.promises_broken += 1
        for action in plan.actions:
            if action.kind in (ActionKind.CONTACT, ActionKind.PROMISE_REMINDER):
                marker = None
                if action.step_channel is not None:
                    action, marker = _reachable_channel(facts, strategy, action)
                refused = stats.refused
                deferred_until = self._contact(facts, strategy, action, now, writes, budget, stats)
                if deferred_until is not None:
                    # Later steps wait behind an earlier deferred one, so the ladder keeps its order.
                    wake = deferred_until if wake is None else min(wake, deferred_until)
                    break
                if marker is not None and marker not in completed:  # written or refused, not deferred
                    completed.append(marker)
                if stats.refused > refused and plan.held_back:
                    # The plan spaced its other steps as if this one had gone; it did not (no address,
                    # the gate said no): plan again in this run, so a refusal does not cost the day.
                    wake = now
            else:
                writes.task(facts, action, strategy)
                stats.tasks += 1
                if action.kind is ActionKind.HANDOFF:
                    status = "handed_off"
                elif action.kind is ActionKind.PLACEMENT:
                    status = "placed"
            if action.step_id not in completed:  # a fallback resend: the step is already done
                completed.append(action.step_id)
        writes.case_update(facts, completed=completed, next_action_at=wake, status=status)

    def _contact(
        self,
        facts: CaseFacts,
        strategy: Strategy,
        action: Action,
        now: datetime,
        writes: PlanWrites,
        budget: dict[tuple[str, int], int],
        stats: PlanStats,
    ) -> datetime | None:
        """Write the action if the gate allows it; returns the instant to retry when it defers."""
        channel = action.channel.value
        destination = choose_destination(facts, channel)
        if destination is None:
            tried = ", ".join(c.value for c in (action.channel, *action.fallbacks))
            why = f"no destination on file for {tried}" if action.fallbacks else None
            writes.refusal(facts, action, None, None, why or "no destination on file for this channel")
            stats.refused += 1
            return None
        decision = self.gate.decide(
            gate_request(facts, channel, destination, now, profiles=self.profiles_for(facts))
        )
        if decision.verdict is Verdict.DEFER and decision.not_before is not None:
            stats.deferred += 1
            if facts.deferred_step != action.action_key:  # once per step, not once per planning pass
                writes.refusal(
                    facts, action, destination, decision, "deferred by the contact gate", "deferred"
                )
                facts.deferred_step = action.action_key
            return decision.not_before
        if decision.verdict is not Verdict.ALLOW:
            writes.refusal(facts, action, destination, decision, "refused by the contact gate")
            stats.refused += 1
            return None
        key = (strategy.name, strategy.version)
        needs_review = budget.get(key, 0) > 0
        if needs_review:
            budget[key] -= 1
            writes.review_used[key] = writes.review_used.get(key, 0) + 1
            stats.review += 1
        writes.outbox(facts, action, destination, decision, review=needs_review)
        stats.actions += 1
        # Later decisions in this batch, on any of this customer's cases, must see this contact, as if it
        # had already gone.
        prior = PriorContact(
            at=now,
            channel=ContactChannel(channel),
            destination=destination.value,
            destination_kind=destination.kind,
            debt_id=facts.case_id,
        )
        for same_customer in self._customers.get(facts.customer_id, (facts,)):
            same_customer.history.append(prior)
        return None


def _reachable_channel(facts: CaseFacts, strategy: Strategy, action: Action) -> tuple[Action, str | None]:
    """The action on the first of its channels with a deliverable destination (the step's fallbacks), and
    the marker (`step@channel`) to record among the completed steps once it is written or refused.

    The marker names the channel used unless it is the step's own, so a failure of that message later
    moves the step on to the channel after it; when no channel reaches the customer it names the last
    one, so the refusal is final for the step. A deferred action records nothing: it is planned again.
    """
    channels = (action.channel, *action.fallbacks)
    reachable = {c: choose_destination(facts, c.value) is not None for c in channels}
    chosen, skipped = first_reachable(channels, reachable)
    used = chosen if chosen is not None else channels[-1]
    marker = tried_marker(action.step_id, used) if used is not action.step_channel else None
    if chosen is None or chosen is action.channel:
        return action, marker
    moved = replace(
        action,
        action_key=step_key(facts.case_id, strategy, action.step_id, chosen),
        channel=chosen,
        reason=f"{action.reason}; {'; '.join(skipped)}; sent by {chosen.value}",
    )
    return moved, marker


#: PostgreSQL settings for a planning transaction (see `_steer_to_index_lookups`).
_INDEX_LOOKUPS = ("random_page_cost = 1.1", "max_parallel_workers_per_gather = 0")


def _steer_to_index_lookups(session: Session) -> None:
    """For this transaction only: a batch reads a few rows per case through indexes, thousands of cases.

    With the stock costs (random_page_cost 4, made for spinning disks) PostgreSQL read the whole contact
    history with a parallel sequential scan rather than probe its index 2,000 times, and parallel
    workers cost more to start than such a batch takes. 1.1 is the usual setting for SSDs and cached
    data; the workers stay off because a planning batch is many small lookups, not one large scan.
    """
    if session.get_bind().dialect.name == "postgresql":
        for setting in _INDEX_LOOKUPS:
            session.execute(text(f"SET LOCAL {setting}"))


def _case_contacts(facts: CaseFacts) -> tuple[tuple[str, datetime], ...]:
    """The case's own messages (sent or queued) for spacing; the customer's replies are not ours."""
    return tuple(
        (p.channel.value, p.at)
        for p in facts.history
        if p.debt_id == facts.case_id and not p.consumer_initiated
    )


def _by_customer(facts: Iterable[CaseFacts]) -> dict[str, list[CaseFacts]]:
    by: dict[str, list[CaseFacts]] = {}
    for fact in facts:
        by.setdefault(fact.customer_id, []).append(fact)
    return by


def _claim(session: Session, now: datetime, limit: int) -> Select[tuple[str]]:
    """The `limit` plannable cases due longest, locked (skipping rows other planners hold).

    One ordered, limited, locked index scan per status, merged: a single scan with `status IN (...)`
    cannot walk the (status, next_action_at) index in time order, so it read and sorted every due case on
    every batch, which made a run quadratic in the number of due cases. A branch may lock up to `limit`
    rows that lose the merge; they stay locked only until this batch commits.
    """
    branches = [
        lock_skipping_locked(
            session,
            select(Case.id, Case.next_action_at)
            .where(Case.status == status, Case.next_action_at <= now)
            .order_by(Case.next_action_at)
            .limit(limit),
        ).subquery()
        for status in PLANNABLE
    ]
    merged = union_all(*(select(b.c.id, b.c.next_action_at) for b in branches)).subquery()
    return select(merged.c.id).order_by(merged.c.next_action_at).limit(limit)


def _review_budget(
    session: Session, keys: set[tuple[str, int]], library: StrategyLibrary
) -> dict[tuple[str, int], int]:
    """How many more actions of each strategy version must wait for a person before going out."""
    budget: dict[tuple[str, int], int] = {}
    wanted = {k for k in keys if library.get(*k).strategy.review_first_n > 0}
    if not wanted:
        return budget
    rows = session.execute(
        select(
            StrategyVersion.name,
            StrategyVersion.version,
            StrategyVersion.review_first_n,
            StrategyVersion.actions_planned,
        ).where(StrategyVersion.name.in_({n for n, _ in wanted}))
    )
    for name, version, first_n, planned in rows:
        if (name, version) in wanted:
            budget[(name, version)] = max(first_n - planned, 0)
    return budget


def _spend_review_budget(session: Session, used: dict[tuple[str, int], int]) -> None:
    for (name, version), count in used.items():
        session.execute(
            update(StrategyVersion)
            .where(StrategyVersion.name == name, StrategyVersion.version == version)
            .values(actions_planned=StrategyVersion.actions_planned + count)
        )
