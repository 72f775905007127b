"""RFC 8058 one-click unsubscribe at `/u/{token}`, the URL an e-mail's List-Unsubscribe header names.

POST with the body `List-Unsubscribe=One-Click` (what mail providers send) records an opt-out of that
e-mail's destination through the inbox; a repeat changes nothing. GET only shows a confirm button: mail
scanners prefetch links, and a prefetch must never unsubscribe anyone. A forged token gets 404.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from functools import partial
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from arrears.inbox import Inbox, InboxStatus
from arrears.payments.pages import page, problem_page
from arrears.payments.tokens import TokenInvalid
from arrears.payments.unsubscribe import KIND, SOURCE, SignedUnsubscribeLinks

_MAX_BODY = 4096


def unsubscribe_routes(links: SignedUnsubscribeLinks, inbox: Inbox, business: str) -> APIRouter:
    router = APIRouter(tags=["pages"], include_in_schema=False)

    def key_of(token: str) -> str | None:
        try:
            return links.key_of(token)
        except TokenInvalid:
            return None

    @router.get("/u/{token}", response_class=HTMLResponse)
    def confirm(token: str) -> HTMLResponse:
        if key_of(token) is None:
            return _unknown(business)
        return page("unsubscribe.html", business=business)

    @router.post("/u/{token}", response_class=HTMLResponse)
    async def one_click(token: str, request: Request) -> HTMLResponse:
        key = key_of(token)
        if key is None:
            return _unknown(business)
        body = (await request.body())[:_MAX_BODY]
        if not asks_one_click(request.headers.get("content-type", ""), body):
            return problem_page(
                business, 400, "Nothing changed", "The request did not ask to unsubscribe (RFC 8058)."
            )
        applied = await run_in_threadpool(  # the database call must not hold up the event loop
            partial(
                inbox.take_now, source=SOURCE, external_id=key, kind=KIND, payload={"idempotency_key": key}
            )
        )
        if applied.status is not InboxStatus.DONE:
            return _unknown(business)
        return page("unsubscribed.html", business=business)

    return router


def asks_one_click(content_type: str, body: bytes) -> bool:
    """`List-Unsubscribe=One-Click`, form-encoded or as multipart/form-data (RFC 8058 allows both)."""
    if content_type.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        if not message.is_multipart():
            return False
        for part in message.iter_parts():
            value = part.get_payload(decode=True)
            named = part.get_param("name", header="content-disposition") == "List-Unsubscribe"
            if named and isinstance(value, bytes) and value.decode("utf-8", "replace").strip() == "One-Click":
                return True
        return False
    return ("List-Unsubscribe", "One-Click") in parse_qsl(body.decode("utf-8", errors="replace"))


def _unknown(business: str) -> HTMLResponse:
    return problem_page(
        business, 404, "Link not found", "This link is not valid. Check it was copied in full."
    )
