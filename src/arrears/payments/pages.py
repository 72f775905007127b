"""The customer-facing pages, rendered from this package's Jinja2 templates with autoescape on: every value
a page shows (names, invoice numbers) may come from a source system and is escaped."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("arrears.payments", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values)


def page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page that no cache or proxy keeps: each shows one customer's facts."""
    response = HTMLResponse(render(template, **values), status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def problem_page(business: str, status: int, title: str, detail: str) -> HTMLResponse:
    return page("problem.html", status, business=business, title=title, detail=detail)
