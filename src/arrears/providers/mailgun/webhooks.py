"""Mailgun's inbound routes: a "forward" action posting to our URL, verified, then stored in the inbox once.

Two URLs, as Mailgun distinguishes them: /v1/email/inbound/mailgun gets the parsed message,
/v1/email/inbound/mailgun/mime the raw MIME (Mailgun posts `body-mime` when the URL ends in "mime"). The
signature is checked before anything is read further: a wrong, missing or stale one gets 403 and nothing
is stored (Mailgun retries a 403 for hours, time to fix a rotated key). A verified post is stored under
the e-mail's Message-ID and answered 200 at once; the worker applies it. A post that is not an e-mail we
can read gets 406, which Mailgun documents as "rejected, do not retry".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request, Response

from arrears.core.clock import Clock
from arrears.core.ids import idempotency_key
from arrears.inbox import Inbox
from arrears.providers.mailgun.forms import Form, FormError, read_form
from arrears.providers.mailgun.messages import external_id, stored_payload
from arrears.providers.mailgun.signature import signature_problem

log = logging.getLogger(__name__)

SOURCE = "mailgun"
KIND = "email.inbound"
_EXTERNAL_ID_MAX = 128  # inbox_events.external_id


@dataclass(frozen=True, slots=True)
class MailgunConfig:
    signing_key: str  # the account's HTTP webhook signing key
    tolerance_seconds: int = 300  # how far a signed timestamp may be from our clock
    api_key: str | None = None  # only for `arrears providers check` (GET /v3/routes)
    api_base: str = "https://api.mailgun.net"  # EU accounts: https://api.eu.mailgun.net
    public_base_url: str | None = None  # where Mailgun reaches us: the route the check looks for


def routes(config: MailgunConfig, clock: Clock, inbox: Inbox) -> APIRouter:
    router = APIRouter(prefix="/v1/email/inbound/mailgun", tags=["email"], include_in_schema=False)

    async def receive(request: Request, *, raw: bool) -> Response:
        try:
            form = read_form(request.headers.get("content-type", ""), await request.body())
        except FormError as exc:
            raise HTTPException(status_code=415, detail=str(exc)) from exc
        _verify(config, clock, form)
        payload = stored_payload(form, raw=raw)
        if raw and not payload.get("body-mime"):
            raise HTTPException(status_code=406, detail="body-mime is required on the mime route")
        try:
            identity = external_id(payload)
        except ValueError as exc:
            raise HTTPException(status_code=406, detail=str(exc)) from exc
        if not identity:
            raise HTTPException(status_code=406, detail="neither Message-Id nor token identifies the e-mail")
        if len(identity) > _EXTERNAL_ID_MAX:
            identity = idempotency_key("message-id", identity)
        stored = inbox.store(source=SOURCE, external_id=identity, kind=KIND, payload=payload)
        log.info("mailgun inbound", extra={"route": payload["route"], "stored": stored.created})
        return Response(status_code=200)

    @router.post("")
    async def parsed(request: Request) -> Response:
        return await receive(request, raw=False)

    @router.post("/mime")
    async def mime(request: Request) -> Response:
        return await receive(request, raw=True)

    return router


def _verify(config: MailgunConfig, clock: Clock, form: Form) -> None:
    fields = form.fields
    problem = signature_problem(
        config.signing_key,
        fields.get("timestamp"),
        fields.get("token"),
        fields.get("signature"),
        clock.now(),
        config.tolerance_seconds,
    )
    if problem is not None:
        log.warning("mailgun inbound refused", extra={"reason": problem})
        raise HTTPException(status_code=403, detail=f"Mailgun signature: {problem}")
