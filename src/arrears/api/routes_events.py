"""`POST /v1/events`: store the event once under its Idempotency-Key and apply it in the same transaction.

Applying synchronously keeps a single node simple and read-your-writes consistent: when the client gets 200
the invoice, payment and case are already there. A retry with the same key and body answers with the
original event (nothing is applied twice); the same key with another body is refused. An event the store
contradicts (unknown account, ...) is answered 422 and the whole transaction is rolled back, the inbox row
included, so the client can fix the order of its events and retry with the same key.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from arrears.api.deps import ClockDep, ResolverDep, SessionDep, WriteEvents
from arrears.api.problems import FieldError, Problem, ProblemError, field_error
from arrears.api.views import EventAccepted
from arrears.events import Event, apply_event, store_event

router = APIRouter(prefix="/v1", tags=["events"])
_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}} for code in (400, 401, 403, 422)
}


def _key_error(detail: str) -> ProblemError:
    return ProblemError(
        400,
        "idempotency-key",
        "Idempotency-Key required",
        detail,
        [FieldError(location="header", field="Idempotency-Key", detail=detail, type="idempotency_key")],
    )


@router.post("/events", response_model=EventAccepted, responses=ERRORS)
def post_event(
    event: Annotated[Event, Body(description="one event; `type` selects the schema")],
    response: Response,
    session: SessionDep,
    principal: WriteEvents,
    clock: ClockDep,
    resolve_strategy: ResolverDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="unique per event; retries reuse it")
    ] = None,
) -> EventAccepted:
    """Record and apply one source-system event, exactly once per Idempotency-Key."""
    if idempotency_key is None:
        raise _key_error("send an Idempotency-Key header that identifies this event (retries reuse it)")
    if not _KEY.match(idempotency_key):
        raise _key_error("the Idempotency-Key must be 1 to 128 visible ASCII characters")
    now = clock.now()
    stored = store_event(
        session, source=f"api:{principal.prefix}", external_id=idempotency_key, event=event, now=now
    )
    row = stored.event
    if stored.conflicts:
        detail = "this Idempotency-Key was already used for a different event body"
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            detail,
            [
                FieldError(
                    location="header", field="Idempotency-Key", detail=detail, type="idempotency_key_reused"
                )
            ],
        )
    if stored.created:
        result = apply_event(session, row, now, resolve_strategy)
        if result.error is not None:
            error = result.error
            raise ProblemError(
                422,
                error.kind.replace("_", "-"),
                "Event cannot be applied",
                f"{event.type}: {error.field}: {error.message}",
                [field_error("body", (event.type, *error.field.split(".")), error.message, error.kind)],
            )
    else:
        response.headers["Idempotent-Replayed"] = "true"
    return EventAccepted(
        id=row.id,
        type=row.kind,
        status=row.status,
        idempotency_key=row.external_id,
        received_at=row.received_at,
        processed_at=row.processed_at,
    )
