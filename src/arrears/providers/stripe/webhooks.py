"""`POST /v1/stripe/webhook`: verified exactly as Stripe signs, stored once by Stripe's event id, applied.

`Stripe-Signature: t=<unix>,v1=<hex>` is HMAC-SHA256 of "<t>.<raw body>" with the endpoint's secret; the
SDK's `WebhookSignature.verify_header` checks it, and the 300 s tolerance is checked here against the
app's clock (the SDK would use the machine's). A missing, wrong or stale signature gets 400 and nothing
is stored. A genuine event is stored and applied in the request (a payment stops pending outreach before
Stripe hears 200); if applying fails it stays stored and the worker retries it. A redelivery is a no-op.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

import stripe
from arrears.api.problems import ProblemError
from arrears.core.clock import Clock
from arrears.inbox import Inbox
from arrears.providers.stripe.client import StripeConfig
from arrears.providers.stripe.handlers import KIND, SOURCE

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300  # Stripe's default (stripe.Webhook.DEFAULT_TOLERANCE)
_MAX_BODY = 512 * 1024


class SignatureRefused(ValueError):
    """The request is not provably from Stripe (or is too old to be a delivery of now)."""


def verify(body: bytes, header: str | None, secret: str | None, clock: Clock) -> dict[str, Any]:
    """The event, if Stripe signed this body with this secret within the tolerance; else raises."""
    if not secret:
        raise SignatureRefused("ARREARS_STRIPE_WEBHOOK_SECRET is not set: no webhook can be verified")
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=None)
    except stripe.SignatureVerificationError as exc:
        raise SignatureRefused(str(exc).split(".")[0]) from None
    stamp = _timestamp(header or "")
    if stamp < clock.now().timestamp() - TOLERANCE_SECONDS:
        raise SignatureRefused(f"Stripe-Signature timestamp older than {TOLERANCE_SECONDS} s")
    try:
        event = json.loads(body)
    except ValueError:
        raise SignatureRefused("the signed body is not JSON") from None
    if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id"):
        raise SignatureRefused("the signed body is not a Stripe event")
    return event


def routes(config: StripeConfig, inbox: Inbox) -> APIRouter:
    router = APIRouter(prefix="/v1/stripe", tags=["stripe"], include_in_schema=False)

    async def verified(request: Request) -> dict[str, Any]:
        body = await request.body()
        if len(body) > _MAX_BODY:
            raise HTTPException(status_code=413, detail="a Stripe event is smaller than this")
        try:
            return verify(body, request.headers.get("Stripe-Signature"), config.webhook_secret, inbox.clock)
        except SignatureRefused as exc:
            log.info("stripe webhook refused", extra={"reason": str(exc)})
            raise ProblemError(
                400, "signature-invalid", "Signature not verified", f"Stripe-Signature: {exc}"
            ) from None

    @router.post("/webhook")
    def webhook(event: dict[str, Any] = Depends(verified)) -> JSONResponse:
        applied = inbox.take_now(source=SOURCE, external_id=str(event["id"]), kind=KIND, payload=event)
        return JSONResponse({"received": True, "status": applied.status.value})

    return router


def _timestamp(header: str) -> int:
    for part in header.split(","):
        name, _, value = part.partition("=")
        if name.strip() == "t" and value.strip().isdigit():
            return int(value)
    raise SignatureRefused("Stripe-Signature has no timestamp")
