"""`arrears providers check` for Stripe: one read-only call (GET /v1/balance) that proves the key, says
whether it is a test or a live key, and what to do when Stripe refuses it."""

from __future__ import annotations

import stripe
from arrears.providers.checks import CheckResult, ProviderCheck
from arrears.providers.stripe.client import StripeConfig, make_client

NAME = "stripe"


def balance_check(config: StripeConfig) -> ProviderCheck:
    def check() -> CheckResult:
        try:
            balance = make_client(config).v1.balance.retrieve()
        except stripe.AuthenticationError:
            return CheckResult(
                NAME,
                False,
                "Stripe refused the API key (401 invalid API key)",
                "Copy a secret key (sk_test_/sk_live_) or restricted key (rk_) from Dashboard > Developers >"
                " API keys into ARREARS_STRIPE_API_KEY.",
            )
        except stripe.PermissionError:
            return CheckResult(
                NAME,
                False,
                "the restricted key lacks a permission (403)",
                "Give the key Write on Checkout Sessions and Payment Links and Read on Balance.",
            )
        except stripe.StripeError as exc:
            return CheckResult(
                NAME,
                False,
                f"Stripe did not answer the check: {type(exc).__name__} (HTTP {exc.http_status})",
                "Check ARREARS_STRIPE_API_BASE and the network, then run the check again.",
            )
        mode = "live" if balance.livemode else "test"
        detail = f"API key accepted ({mode} mode)"
        if not config.webhook_secret:
            return CheckResult(
                NAME,
                False,
                f"{detail}; no webhook secret, so payments are never learnt",
                "Add an endpoint for https://<host>/v1/stripe/webhook in the Dashboard and put its "
                "signing secret (whsec_...) in ARREARS_STRIPE_WEBHOOK_SECRET.",
            )
        return CheckResult(NAME, True, f"{detail}; webhook secret set")

    return check
