"""The base of every request body outside the events: unknown fields refused, and no text the store cannot
hold. A NUL byte or a lone surrogate in `by`, a note or a chat message reached PostgreSQL and came back as
a 500 (found by schemathesis); it is a 422 naming the field, as it is at `POST /v1/events`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from arrears.events.fields import storable


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)
