"""Request-scoped dependencies: one transaction per request, the caller's key checked inside it, and the
parts the composition root built (clock, inbox) from the app's state.

The session dependency uses function scope, so the commit happens before the response is sent: a client
never sees 200 for a write that then failed to commit. Authentication reads the key in a short transaction of
its own, ended before the route runs (routes that store in the inbox open their own transaction, and SQLite
takes one writer at a time), so a revoked key stops working on the very next request. A route that checks
and stores in one transaction (`POST /v1/events`) takes the token's shape here (`BearerToken`, no I/O) and
reads the key in its own transaction (`admit`): one connection, one commit and one thread hop per event
instead of two, two and three, the key still read every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import Principal, authenticate, well_formed
from arrears.api.problems import ProblemError
from arrears.core.clock import Clock
from arrears.inbox import Inbox

_bearer = HTTPBearer(
    auto_error=False, description="an API key: `Authorization: Bearer arr_<prefix>_<secret>`"
)


def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session, session.begin():
        yield session


async def _clock(request: Request) -> Clock:  # async: no I/O, so no hop to the thread pool
    clock: Clock = request.app.state.clock
    return clock


async def _inbox(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox


SessionDep = Annotated[Session, Depends(_session, scope="function")]
ClockDep = Annotated[Clock, Depends(_clock)]
InboxDep = Annotated[Inbox, Depends(_inbox)]


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def require(*scopes: str) -> Callable[..., Principal]:
    """A dependency admitting only active keys that hold one of `scopes` (401 without a valid key, 403
    without the scope)."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise _unauthorized("an API key is required: send `Authorization: Bearer <key>`")
        factory: sessionmaker[Session] = request.app.state.sessions
        with factory() as session, session.begin():
            return _admit(request, authenticate(session, credentials.credentials), scopes)

    return dependency


async def _token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token, its shape checked (401 without one); `admit` reads the key."""
    if credentials is None:
        raise _unauthorized("an API key is required: send `Authorization: Bearer <key>`")
    if not well_formed(credentials.credentials):
        raise _unauthorized("the API key is unknown, malformed or revoked")
    return credentials.credentials


BearerToken = Annotated[str, Depends(_token)]


def admit(request: Request, session: Session, token: str, *scopes: str) -> Principal:
    """`require` inside the caller's transaction, for a route that reads the key and writes in one."""
    return _admit(request, authenticate(session, token), scopes)


def _admit(request: Request, principal: Principal | None, scopes: tuple[str, ...]) -> Principal:
    if principal is None:
        raise _unauthorized("the API key is unknown, malformed or revoked")
    request.scope.setdefault("state", {})["key_prefix"] = principal.prefix
    if not principal.scopes.intersection(scopes):
        wanted = " or ".join(repr(s) for s in scopes)
        raise ProblemError(403, "forbidden", "Forbidden", f"this API key lacks the {wanted} scope")
    return principal


WriteEvents = Annotated[Principal, Depends(require("events:write"))]
Read = Annotated[Principal, Depends(require("read"))]
ReadEvents = Annotated[Principal, Depends(require("events:write", "read"))]
Work = Annotated[Principal, Depends(require("work"))]
Chat = Annotated[Principal, Depends(require("chat"))]
