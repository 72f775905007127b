"""Query and path parameters the store can hold. A NUL byte in `?team=` reached PostgreSQL as a filter
value and came back as a 500 (found by schemathesis); like a body field, it is a 422 naming the parameter.
One app-wide dependency covers every route, including those a provider package adds."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from arrears.events.fields import UNSTORABLE

_REFUSAL = "contains a NUL byte or an unpaired surrogate, which cannot be stored"


async def storable_parameters(request: Request) -> None:
    errors = [
        {"loc": (location, name), "msg": _REFUSAL, "type": "value_error", "input": value}
        for location, items in (
            ("query", request.query_params.multi_items()),
            ("path", list(request.path_params.items())),
        )
        for name, value in items
        if isinstance(value, str) and UNSTORABLE.search(value)
    ]
    if errors:
        raise RequestValidationError(errors)
