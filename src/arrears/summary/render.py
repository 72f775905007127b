"""The summary as an e-mail: a subject, a text part and an HTML part from Jinja2 templates.

Money and dates go through `arrears.messages.formatting` in the reader's locale (ARREARS_SUMMARY_LOCALE):
`$1,234.50` and `December 1, 2026` for en-US, `1.234,50 $` and `1. Dezember 2026` for de-DE. An undefined
template variable is an error, never a blank or a `{{ placeholder }}` in a manager's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from arrears.messages import formatting
from arrears.summary.figures import DaySummary


@dataclass(frozen=True, slots=True)
class SummaryEmail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("arrears.summary", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_summary(summary: DaySummary, locale: str, business: str) -> SummaryEmail:
    """Render the day's summary for a reader in `locale`."""
    zone = ZoneInfo(summary.time_zone)

    def money(minor: int, currency: str) -> str:
        return formatting.money(minor, currency, locale)

    def when(value: datetime) -> str:
        return formatting.day(value.astimezone(zone).date(), locale, "medium")

    values = {
        "s": summary,
        "business": business,
        "day": formatting.day(summary.day, locale, "full"),
        "money": money,
        "when": when,
        "recovered": [money(minor, code) for code, minor in summary.recovered.items()],
    }
    env = _environment()
    subject = f"{business}: collections summary for {formatting.day(summary.day, locale, 'medium')}"
    return SummaryEmail(
        subject=subject,
        text=env.get_template("daily.txt.j2").render(values),
        html=env.get_template("daily.html.j2").render(values),
    )
