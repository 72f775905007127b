"""Every error the API returns is an RFC 9457 problem document, with the offending fields listed.

A client integrating a billing system needs to know which record and which field to fix, so validation
errors carry `errors: [{location, field, pointer, detail, type, record}]`; auth and server errors carry the
same envelope with an empty list. Details never echo secrets or submitted personal data.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arrears.events.schemas import EVENT_TYPES

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:arrears:problem:"
log = logging.getLogger("arrears.api")


class FieldError(BaseModel):
    location: str = Field(description="body, header, query or path")
    field: str = Field(description="dotted field name inside that location")
    pointer: str | None = Field(None, description="JSON Pointer into the request body")
    detail: str
    type: str
    record: str | None = Field(None, description="the event type the field belongs to")


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document (and roll the transaction back)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.errors = errors or []
        self.headers = headers


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    body = Problem(
        type=TYPE_BASE + error.slug,
        title=error.title,
        status=error.status,
        detail=error.detail,
        instance=request.url.path,
        errors=error.errors,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=error.status,
        media_type=MEDIA_TYPE,
        headers=error.headers,
    )


def field_error(location: str, loc: tuple[Any, ...], detail: str, kind: str) -> FieldError:
    """Name a field from a pydantic location, lifting the union tag out into `record`."""
    parts = list(loc)
    record = None
    if parts and parts[0] in EVENT_TYPES:
        record = str(parts.pop(0))
    field = ".".join(str(p) for p in parts)
    pointer = "#/" + "/".join(str(p) for p in parts) if location == "body" else None
    return FieldError(
        location=location, field=field, pointer=pointer, detail=detail, type=kind, record=record
    )


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for error in exc.errors():
        location, *rest = error.get("loc", ("body",)) or ("body",)
        kind = str(error.get("type", "invalid"))
        if kind == "json_invalid":
            rest = []
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        errors.append(field_error(str(location), tuple(rest), message, kind))
    records = sorted({e.record for e in errors if e.record})
    where = f" in {', '.join(records)}" if records else ""
    fields = ", ".join(sorted({f"{e.location}.{e.field}" if e.field else e.location for e in errors}))
    return problem_response(
        request,
        ProblemError(
            422,
            "validation-error",
            "Invalid request",
            f"{len(errors)} invalid field(s){where}: {fields}",
            errors,
        ),
    )


def _unreadable_body(request: Request) -> JSONResponse:
    """FastAPI answers a body it cannot decode (bytes that are not UTF-8) with a bare 400 that no route
    documents; it is a malformed body like invalid JSON, so it gets the same 422 naming the body."""
    error = field_error("body", (), "the body is not JSON text in UTF-8", "json_invalid")
    return problem_response(
        request, ProblemError(422, "validation-error", "Invalid request", "1 invalid field(s): body", [error])
    )


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # only FastAPI's body parsing raises it; our own 400s are ProblemErrors
        return _unreadable_body(request)
    titles = {
        404: "Not found",
        405: "Method not allowed",
        401: "Unauthorized",
        403: "Forbidden",
        413: "Request body too large",
    }
    slugs = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}
    slug = slugs.get(exc.status_code, "http-error")
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(
        request,
        ProblemError(
            exc.status_code, slug, titles.get(exc.status_code, "HTTP error"), str(exc.detail), headers=headers
        ),
    )


def _problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(request, exc)


class Unexpected:
    """Answer an unhandled error with the 500 problem, logging its frames without its message.

    Inside Starlette's outermost middleware, which would answer too but then re-raise the error for the
    server to log with its message (database errors and others quote values that may be personal data)
    and drop the client's connection. The route template is logged, never the path (`/pay/<token>`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            route = getattr(scope.get("route"), "path", "unmatched")
            log.error("unhandled %s on %s\n%s", type(exc).__name__, route, frames)
            if started:
                raise RuntimeError("unhandled error after the response started") from None
            error = ProblemError(
                500, "internal-error", "Internal error", "the request failed; nothing was stored"
            )
            await problem_response(Request(scope), error)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(ProblemError, _problem)  # type: ignore[arg-type]
    app.add_middleware(Unexpected)  # the innermost middleware: added before any other
