"""Messages name the right facts, carry their disclosures, and every shipped step has a template."""

from __future__ import annotations

from arrears.engine.render import render, templates
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.schema import Channel


def test_every_contact_step_of_the_shipped_strategies_has_a_template() -> None:
    missing = []
    for loaded in StrategyLibrary.load(None):
        strategy = loaded.strategy
        ids = [s.template for s in strategy.steps if s.channel is not Channel.TASK]
        ids.append(strategy.promise.reminder_template)
        missing += [f"{strategy.name}:{t}" for t in ids if t not in templates()]
    assert missing == []


def test_render_quotes_balance_offer_link_and_disclosures() -> None:
    message = render(
        template="b2b/early-payment-offer",
        tone="firm",
        channel="email",
        customer_name="Ada Lovelace",
        balance_minor=123_456,
        currency="GBP",
        days_past_due=9,
        payload={
            "offer": {"pay_minor": 120_000, "discount_minor": 3_456, "expires_on": "2026-03-20"},
            "decision": {"disclosures": ["mini_miranda", "e_opt_out"]},
        },
        disclosures={
            "mini_miranda": "This is an attempt to collect a debt.",
            "e_opt_out": "Reply STOP to opt out.",
        },
        payment_link="https://pay.example/x",
    )
    assert "1234.56 GBP" in message.body and "9 days" in message.body
    assert "Pay 1200.00 GBP by 2026-03-20" in message.body and "waive 34.56 GBP" in message.body
    assert "https://pay.example/x" in message.body
    assert "attempt to collect a debt" in message.body and "Reply STOP" in message.body
    assert message.headers["List-Unsubscribe"].startswith("<mailto:")
