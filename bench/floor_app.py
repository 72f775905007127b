"""The floor of the load benchmark: a bare FastAPI app that stores the same inbox row, and nothing else.

Each endpoint parses the body as the real entrance does (JSON for events, a form for Twilio texts) and
writes the row `arrears serve` stores for it into the same `inbox_events` table of the same database,
through the same engine settings (`make_engine`), with one INSERT and one COMMIT: no key check, no
schema validation, no signature, no idempotency lookup, no access log. What `arrears serve` costs above
this is what its entrance adds to "store one row".

Served by uvicorn like `arrears serve` (`--app-dir bench floor_app:app`); the database comes from
FLOOR_DATABASE_URL.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, cast
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Header, Request, Response
from sqlalchemy import Table

from arrears.store.db import make_engine
from arrears.store.models import InboxEvent

engine = make_engine(os.environ.get("FLOOR_DATABASE_URL", "sqlite:///floor.db"))
_INSERT = cast(Table, InboxEvent.__table__).insert()
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
app = FastAPI()


def _store(source: str, external_id: str, kind: str, payload: dict[str, Any]) -> str:
    row = {"id": uuid.uuid4().hex, "source": source, "external_id": external_id, "kind": kind,
           "payload": payload, "status": "pending", "attempts": 0,
           "received_at": datetime.now(UTC)}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(_INSERT, row)
    return str(row["id"])


@app.post("/v1/events", status_code=202)
def store_event(
    event: dict[str, Any], idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
) -> dict[str, str]:
    row_id = _store("floor-events", idempotency_key, str(event.get("type")), event)
    return {"id": row_id, "status": "pending"}


async def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))


@app.post("/v1/twilio/messages")
def store_text(form: Annotated[dict[str, str], Depends(_form)]) -> Response:
    _store("floor-twilio", form.get("MessageSid", ""), "twilio.message", dict(form))
    return Response(content=_EMPTY_TWIML, media_type="application/xml")
