"""`arrears providers check` for Mailgun inbound: with an API key, one read-only call (GET /v3/routes)
proves the key and the region, and finds the route that forwards to this deployment's webhook.

The signing key itself cannot be checked by any read-only call; a wrong one shows as 403s in the access
log and Mailgun's retries, which is why the docs say to reply to a test e-mail once.
"""

from __future__ import annotations

import httpx

from arrears.providers.checks import CheckResult, ProviderCheck
from arrears.providers.mailgun.webhooks import MailgunConfig

NAME = "mailgun"
PATH = "/v1/email/inbound/mailgun"


def routes_check(config: MailgunConfig) -> ProviderCheck:
    def check() -> CheckResult:
        assert config.api_key is not None
        url = f"{config.api_base.rstrip('/')}/v3/routes"
        try:
            response = httpx.get(url, params={"limit": 1000}, auth=("api", config.api_key), timeout=10.0)
        except httpx.HTTPError as exc:
            return CheckResult(
                NAME,
                False,
                f"could not reach {url}: {type(exc).__name__}",
                "check ARREARS_MAILGUN_API_BASE (EU accounts: https://api.eu.mailgun.net) and the network",
            )
        if response.status_code in (401, 403):
            return CheckResult(
                NAME,
                False,
                f"Mailgun refused the API key ({response.status_code})",
                "set ARREARS_MAILGUN_API_KEY to a private API key of the account that owns the route "
                "(Mailgun: API Security), and the region's ARREARS_MAILGUN_API_BASE",
            )
        if response.status_code != 200:
            return CheckResult(
                NAME, False, f"GET /v3/routes answered {response.status_code}", "try again later"
            )
        return _found(config, response.json().get("items") or [])

    return check


def _found(config: MailgunConfig, routes: list[dict[str, object]]) -> CheckResult:
    target = f"{config.public_base_url or ''}{PATH}"
    for route in routes:
        actions = [str(a) for a in route.get("actions") or []]  # type: ignore[attr-defined]
        forward = next((a for a in actions if a.startswith("forward(") and target in a), None)
        if forward is not None:
            return CheckResult(NAME, True, f"route {route.get('id')} {forward} ({route.get('expression')})")
    return CheckResult(
        NAME,
        False,
        f"no route forwards to {target or PATH} among the account's {len(routes)} routes",
        f'create a route with the action forward("{target}/mime") (see docs/providers/email-inbound.md)',
    )
