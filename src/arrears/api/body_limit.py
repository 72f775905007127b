"""Refuse a request body over the configured size with 413, before anything parses it.

A declared Content-Length over the limit is answered at once without reading the body; a chunked body is
counted as it arrives and refused at the first chunk past the limit, so a 20 MB upload is never buffered
and parsed. The answer is the same problem document every other error is.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arrears.api.problems import MEDIA_TYPE, TYPE_BASE

SLUG = "body-too-large"
TITLE = "Request body too large"


def too_large_detail(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes; send smaller requests"


class BodyTooLarge(HTTPException):
    """Raised while a body is read; the API's HTTP error handler turns it into the problem document."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_detail(limit))


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(scope, send, self.max_bytes)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send, self.max_bytes)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": TYPE_BASE + SLUG,
            "title": TITLE,
            "status": 413,
            "detail": too_large_detail(limit),
            "instance": scope.get("path", ""),
            "errors": [],
        }
    ).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))  # the unread body must not be taken for the next request
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
