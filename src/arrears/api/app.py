"""The FastAPI application, from the parts the composition root built (`arrears.system`).

Nothing here reads settings or picks an implementation: `create_app(web)` takes the session factory, the
clock, the inbox and the providers' webhook routes, so tests run it on simulated time and a throwaway
database, and `arrears serve` runs `arrears.system:serve_app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import version

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from arrears.api import openapi, problems, routes_chat, routes_events, routes_read, routes_work
from arrears.api.access_log import AccessLog
from arrears.api.body_limit import BodyLimit
from arrears.api.parameters import storable_parameters
from arrears.core.clock import Clock
from arrears.inbox import Inbox

DESCRIPTION = """Push invoices, payments, customer changes and customers' messages from the systems that know
them, and read back cases, customers, tasks and conversation outcomes. Events are stored once and applied by
the worker: `POST /v1/events` answers 202 and `GET /v1/events/{id}` says when they are applied or why not.
People work tasks and holds under `/v1/tasks` and `/v1/holds`. Authenticate with `Authorization: Bearer <API
key>`. Errors are RFC 9457 problem documents (`application/problem+json`) listing each offending field."""


@dataclass(frozen=True)
class Web:
    sessions: sessionmaker[Session]
    clock: Clock
    inbox: Inbox
    routers: Sequence[APIRouter] = ()
    on_shutdown: Callable[[], None] = field(default=lambda: None)
    max_body_bytes: int = 1_048_576


def create_app(web: Web) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        web.on_shutdown()

    app = FastAPI(
        title="Arrears API",
        version=version("arrears"),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        dependencies=[Depends(storable_parameters)],
    )
    app.state.sessions = web.sessions
    app.state.clock = web.clock
    app.state.inbox = web.inbox
    problems.install(app)
    openapi.install(app)
    for router in (
        routes_events.router,
        routes_read.router,
        routes_work.router,
        routes_chat.router,
        *web.routers,
    ):
        app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=web.max_body_bytes)
    app.add_middleware(AccessLog)  # outermost: a refused body is logged too
    return app
