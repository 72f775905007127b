"""The FastAPI application: `create_app(settings, clock=...)` wires store, clock and strategies in.

Everything the app needs is passed in or built from settings here, so tests run it on simulated time and a
throwaway database, and `uvicorn --factory arrears.api.app:create_app` runs it from the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from sqlalchemy import Engine

from arrears.api import conversations_api, problems, routes_events, routes_read
from arrears.api.access_log import AccessLog
from arrears.cases.sync import StrategyResolver
from arrears.core.clock import Clock, SystemClock
from arrears.settings import Settings, get_settings
from arrears.store.db import make_engine, session_factory

DESCRIPTION = """Push invoices, payments and customer changes from the system that knows who owes what, and
read back cases, customers and conversation outcomes. Authenticate with `Authorization: Bearer <API key>`.
Errors are RFC 9457 problem documents (`application/problem+json`) listing each offending field."""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    resolve_strategy: StrategyResolver | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the app. An engine passed in stays the caller's; one built here is disposed at shutdown."""
    settings = settings or get_settings()
    owned = engine is None
    engine = engine or make_engine(settings.database_url)
    if resolve_strategy is None:
        from arrears.engine.wiring import strategy_resolver

        resolve_strategy = strategy_resolver(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            engine.dispose()

    app = FastAPI(
        title="Arrears API",
        version=version("arrears"),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.sessions = session_factory(engine)
    app.state.clock = clock or SystemClock()
    app.state.resolve_strategy = resolve_strategy
    problems.install(app)
    app.include_router(routes_events.router)
    app.include_router(routes_read.router)
    conversations_api.install(app, settings)
    app.add_middleware(AccessLog)
    return app


def serve_app() -> FastAPI:
    """The factory `arrears serve` gives uvicorn: each worker process configures its own structured logs."""
    from arrears.logs import configure

    settings = get_settings()
    configure(settings.log_level, json_lines=settings.log_json)
    return create_app(settings)
