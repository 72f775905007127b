"""Keyset paging: a cursor is the (timestamp, id) of the last row served, so pages stay stable while rows
are added, and every page costs one index range scan however deep the client goes."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from arrears.api.problems import FieldError, ProblemError

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(at: datetime, row_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), row_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = json.loads(raw)
        return datetime.fromisoformat(at), str(row_id)
    except (ValueError, TypeError, binascii.Error):
        raise ProblemError(
            422,
            "validation-error",
            "Invalid request",
            "the cursor is not one this API issued",
            [
                FieldError(
                    location="query", field="cursor", detail="not a valid cursor", type="cursor_invalid"
                )
            ],
        ) from None


def after(
    query: Select[Any],
    at_column: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[str],
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Rows after the cursor in (at, id) order, one more than asked so the caller knows if more follow."""
    if cursor is not None:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(at_column > at, and_(at_column == at, id_column > row_id)))
    return query.order_by(at_column, id_column).limit(limit + 1)
