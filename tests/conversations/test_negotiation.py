"""Negotiation through the conversation service on both databases: the strategy's terms reach the agent,
an agreed settlement leaves as a link for its amount (valid to its last day) with a promise behind it, a
weekly plan is stored weekly, and a proposal outside the terms reaches a person's task with its words."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.conversations.context import AgentConfig, build_context
from arrears.conversations.service import ConversationService
from arrears.store.models import OutboxAction, Promise, Task
from arrears.strategy.catalog import StrategyLibrary
from arrears.system.parts import strategy_lookup
from tests.conversations.support import NOW, POSTCODE, seed_case

LIBRARY = StrategyLibrary.load(None)
SERVICE = ConversationService(
    AgentConfig(business_name="Brightwater Energy", callback_number="555 0100"),
    strategy_for=strategy_lookup(LIBRARY),
)
TODAY = date(2026, 3, 10)  # NOW in New York


def _talk(sessions: sessionmaker[Session], case_id: str, channel: str, *turns: str) -> list[str]:
    with sessions.begin() as session:
        opened = SERVICE.open(
            session, case_id=case_id, channel=channel, provider="web", provider_conversation_id="c-1", now=NOW
        )
    replies = [opened.reply]
    for n, text in enumerate(("yes it's me", f"it's {POSTCODE}", *turns)):
        with sessions.begin() as session:
            replies.append(
                SERVICE.turn(session, opened.conversation_id, text, turn_key=f"t{n}", now=NOW).reply
            )
    return replies


def test_the_strategys_terms_reach_the_agent(sessions: sessionmaker[Session]) -> None:
    """consumer-overdue lets the agent agree plans of at least $25, up to 6, weekly to monthly, and a
    settlement of at least 80% paid within 14 days."""
    case_id = seed_case(sessions)
    with sessions() as session:
        ctx = build_context(
            session, case_id, "sms", NOW, AgentConfig(), strategy_for=strategy_lookup(LIBRARY)
        )
    assert ctx.plan_bounds is not None and ctx.plan_bounds.min_instalment.minor == 2_500
    assert (ctx.plan_bounds.max_instalments, ctx.plan_bounds.max_spacing_days) == (6, 31)
    assert ctx.settlement is not None and ctx.settlement.floor.minor == 19_480  # 80% of 243.50, rounded up
    assert ctx.settlement.last_day == TODAY + timedelta(days=14)
    with sessions() as session:
        bare = build_context(session, case_id, "sms", NOW, AgentConfig())
    assert bare.plan_bounds is None and bare.settlement is None


def test_an_agreed_settlement_leaves_as_an_offer_link_with_a_promise_behind_it(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    replies = _talk(
        sessions, case_id, "sms", "I can give you 200 dollars as full and final settlement", "yes"
    )
    assert "I can accept $200 to settle the account in full" in replies[3]
    with sessions() as session:
        link = session.scalars(select(OutboxAction).where(OutboxAction.template == "payment-link")).one()
        assert link.payload["offer"] == {
            "pay_minor": 20_000,
            "discount_minor": 4_350,
            "expires_on": (TODAY + timedelta(days=14)).isoformat(),
            "currency": "USD",
        }
        promise = session.scalars(select(Promise)).one()
        assert (promise.amount_minor, promise.due_on) == (20_000, TODAY + timedelta(days=14))


def test_a_weekly_plan_is_stored_a_week_apart(sessions: sessionmaker[Session]) -> None:
    case_id = seed_case(sessions)
    replies = _talk(sessions, case_id, "sms", "could I pay $50 a week starting friday", "yes")
    assert "5 weekly payments of $50 (the last one $43.50), the first on Friday, March 13" in replies[3]
    with sessions() as session:
        days = session.scalars(select(Promise.due_on).order_by(Promise.due_on)).all()
    assert days == [date(2026, 3, 13) + timedelta(days=7 * n) for n in range(5)]


def test_a_refused_counter_offer_reaches_a_person_with_the_customers_words(
    sessions: sessionmaker[Session],
) -> None:
    case_id = seed_case(sessions)
    replies = _talk(
        sessions, case_id, "chat", "I can give you 100 dollars as full and final settlement", "no"
    )
    assert "The lowest I can accept to settle the account in full is $194.80" in replies[3]
    with sessions() as session:
        task = session.scalars(select(Task)).one()
        assert task.reason == "settlement"
        assert "100 dollars as full and final settlement" in task.context["proposal"]
        assert session.scalars(select(Promise)).first() is None
