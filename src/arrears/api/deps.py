"""Request-scoped dependencies: one transaction per request, and the caller's key checked inside it.

The session dependency uses function scope, so the commit happens before the response is sent: a client
never sees 200 for a write that then failed to commit. Authentication reads the key in the same transaction,
so a revoked key stops working on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import Principal, authenticate
from arrears.api.problems import ProblemError
from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock

_bearer = HTTPBearer(
    auto_error=False, description="an API key: `Authorization: Bearer arr_<prefix>_<secret>`"
)


def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session, session.begin():
        yield session


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _resolver(request: Request) -> StrategyResolver:
    resolve: StrategyResolver = request.app.state.resolve_strategy
    return resolve


SessionDep = Annotated[Session, Depends(_session, scope="function")]
ClockDep = Annotated[Clock, Depends(_clock)]
ResolverDep = Annotated[StrategyResolver, Depends(_resolver)]


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def require(scope: str) -> Callable[..., Principal]:
    """A dependency admitting only active keys that hold `scope` (401 without a valid key, 403 without it)."""

    def dependency(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise _unauthorized("an API key is required: send `Authorization: Bearer <key>`")
        principal = authenticate(session, credentials.credentials)
        if principal is None:
            raise _unauthorized("the API key is unknown, malformed or revoked")
        request.scope.setdefault("state", {})["key_prefix"] = principal.prefix
        if scope not in principal.scopes:
            raise ProblemError(403, "forbidden", "Forbidden", f"this API key lacks the {scope!r} scope")
        return principal

    return dependency


WriteEvents = Annotated[Principal, Depends(require("events:write"))]
Read = Annotated[Principal, Depends(require("read"))]
