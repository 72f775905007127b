"""`arrears providers check` for Stripe: one read-only GET /v1/balance that says what is wrong and how to
fix it (a rejected key, a restricted key without permission, a missing webhook secret) or which mode."""

from __future__ import annotations

from arrears.fakes.stripe import FakeStripe
from arrears.providers.stripe.checks import balance_check
from arrears.providers.stripe.client import StripeConfig


def _check(fake: FakeStripe, key: str, secret: str | None = "whsec_x") -> tuple[bool, str, str | None]:
    config = StripeConfig(key, secret, api_base=fake.url, max_network_retries=0)
    result = balance_check(config)()
    return result.ok, result.detail, result.fix


def test_a_good_test_key_passes_and_says_test_mode(fake: FakeStripe) -> None:
    assert _check(fake, fake.api_key) == (True, "API key accepted (test mode); webhook secret set", None)
    assert [(method, path) for method, path, _, _ in fake.requests] == [("GET", "/v1/balance")]


def test_a_rejected_key_says_where_to_find_one(fake: FakeStripe) -> None:
    ok, detail, fix = _check(fake, "sk_test_wrong")
    assert not ok and "401" in detail and fix is not None and "ARREARS_STRIPE_API_KEY" in fix


def test_a_restricted_key_without_permission_says_which_to_grant(fake: FakeStripe) -> None:
    fake.restricted.add("rk_test_limited")
    ok, detail, fix = _check(fake, "rk_test_limited")
    assert not ok and "403" in detail and fix is not None and "Read on Balance" in fix


def test_no_webhook_secret_fails_with_the_endpoint_to_add(fake: FakeStripe) -> None:
    ok, detail, fix = _check(fake, fake.api_key, secret=None)
    assert not ok and "test mode" in detail and fix is not None and "/v1/stripe/webhook" in fix


def test_stripe_down_is_reported_not_raised(fake: FakeStripe) -> None:
    fake.fail_next.append(500)
    ok, detail, _ = _check(fake, fake.api_key)
    assert not ok and "HTTP 500" in detail
