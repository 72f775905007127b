"""`POST /v1/events`: verify the body's shape, store it once under its Idempotency-Key, answer 202.

The worker applies stored events in arrival order (`arrears worker`); `GET /v1/events/{id}` tells whether
an event is applied, waiting, or failed and why (an RFC 9457 problem naming the field), and a failed event
is tried again with backoff or replayed by an operator (`arrears inbox replay`). A retry with the same key
and body answers 200 with the stored event (nothing is stored twice); the same key with another body is
refused.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Request, Response, status

from arrears.api.deps import BearerToken, InboxDep, ReadEvents, SessionDep, admit
from arrears.api.openapi import IDEMPOTENCY_KEY, problems
from arrears.api.problems import FieldError, ProblemError
from arrears.api.views import EventStatus
from arrears.events import Event
from arrears.inbox import receive
from arrears.store.db import transaction
from arrears.store.models import InboxEvent

router = APIRouter(prefix="/v1", tags=["events"])
_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
# Read as optional so a missing key gets the documented 400 naming the header; declared required below.
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", include_in_schema=False)]


def _key_error(detail: str, slug: str = "idempotency-key", status_code: int = 400) -> ProblemError:
    return ProblemError(
        status_code,
        slug,
        "Idempotency-Key required" if status_code == 400 else "Idempotency-Key reused",
        detail,
        [FieldError(location="header", field="Idempotency-Key", detail=detail, type=slug.replace("-", "_"))],
    )


@router.post(
    "/events",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=EventStatus,
    responses={
        200: {"model": EventStatus, "description": "a retry: the event stored under this key before"},
        **problems(400, 401, 403, 413, 422),
    },
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def post_event(
    event: Annotated[Event, Body(description="one event; `type` selects the schema")],
    response: Response,
    request: Request,
    token: BearerToken,
    inbox: InboxDep,
    idempotency_key: KeyHeader = None,
) -> EventStatus:
    """Store one source-system event for the worker to apply, exactly once per Idempotency-Key: the key
    read and the row inserted in one transaction, committed before the answer leaves."""
    with transaction(inbox.sessions) as session:
        principal = admit(request, session, token, "events:write")
        if idempotency_key is None:
            raise _key_error("send an Idempotency-Key header that identifies this event (retries reuse it)")
        if not _KEY.match(idempotency_key):
            raise _key_error("the Idempotency-Key must be 1 to 128 visible ASCII characters")
        stored = receive(
            session,
            source=f"api:{principal.prefix}",
            external_id=idempotency_key,
            kind=event.type,
            payload=event.payload(),
            now=inbox.clock.now(),
        )
    if stored.conflicts:
        detail = "this Idempotency-Key was already used for a different event body"
        raise _key_error(detail, "idempotency-key-reused", 422)
    response.headers["Location"] = f"/v1/events/{stored.event.id}"
    if not stored.created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return EventStatus.of(stored.event)


@router.get("/events/{event_id}", response_model=EventStatus, responses=problems(401, 403, 404, 422))
def get_event(
    event_id: Annotated[str, Path(max_length=32)], session: SessionDep, principal: ReadEvents
) -> EventStatus:
    """Where an event stands: pending, done, or failed with the problem that stopped it."""
    row = session.get(InboxEvent, event_id)
    own = row is not None and row.source == f"api:{principal.prefix}"
    if row is None or not (own or "read" in principal.scopes):
        raise ProblemError(404, "not-found", "Not found", f"no event with id {event_id!r}")
    return EventStatus.of(row)
