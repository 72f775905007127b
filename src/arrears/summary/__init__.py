"""The daily manager summary: the day's figures (pure), rendered as text and HTML, sent once per day and
recipient through the system's e-mail channel."""

from arrears.summary.figures import DaySummary, TaskFact, TopCase, summarize
from arrears.summary.load import day_period, load_summary
from arrears.summary.render import SummaryEmail, render_summary
from arrears.summary.send import DailySummary, SummaryConfig, summary_key

__all__ = [
    "DailySummary",
    "DaySummary",
    "SummaryConfig",
    "SummaryEmail",
    "TaskFact",
    "TopCase",
    "day_period",
    "load_summary",
    "render_summary",
    "summarize",
    "summary_key",
]
