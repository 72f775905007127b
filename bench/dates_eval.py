"""Date resolution on a public corpus the project did not develop against, beside dateparser.

    .venv/bin/python bench/dates_eval.py [data/nlu/public/dates-duckling/test.jsonl]

Scores the single calendar days of Duckling's English time corpus (see PROVENANCE.md beside it) that lie
within a year of the reference, the range a promise or a payment falls in. Ours is
``resolve_date(prepare(text), reference, "neutral")``, as bench/nlu_eval.py calls it; dateparser is
``search_dates`` with the same reference and PREFER_DATES_FROM=future, first date found. A record is right
when the day matches exactly. Misses are counted by form (weekday, month name, holiday...), never listed by
sentence, so that the figure guides general work rather than fixes to single lines.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from arrears.agent.dates import prepare, resolve_date

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "data" / "nlu" / "public" / "dates-duckling" / "test.jsonl"
WITHIN_DAYS = 366

_WD = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("numeric", re.compile(r"\d+\s*[/.-]\s*\d+")),
    (
        "duration",
        re.compile(r"\b(?:ago|from now|hence|in an?|in \d+|in \w+ (?:days?|weeks?|months?|years?))\b"),
    ),
    (
        "holiday",
        re.compile(
            r"\b(?:day|eve|christmas|xmas|easter|thanksgiving|halloween|hanukkah|diwali|eid|"
            r"ramadan|yom|rosh|passover|lent|mardi|pentecost|whit|navratri|holi|pongal|onam|"
            r"lag|tu|shavuot|sukkot|purim|vesak|mawlid|ashura|isra|laylat|guru|raksha|"
            r"janmashtami|dussehra|chhath|ugadi|vaisakhi|baisakhi|mahavir|buddha|ganesh|"
            r"maha|shivaratri|sabbath|epiphany|ascension|assumption|corpus|trinity|lunar|"
            r"chinese new year|new year)\b"
        ),
    ),
    ("month name + day", re.compile(rf"\b{_MON}|\bides\b")),
    ("weekday", re.compile(rf"\b{_WD}")),
    ("relative day", re.compile(r"\b(?:today|tomorrow|yesterday|tonight)s?\b")),
    ("ordinal day", re.compile(r"\b\d+(?:st|nd|rd|th)?\b|\b(?:first|second|third)\b")),
)


def form_of(text: str) -> str:
    low = text.lower()
    for name, pattern in FORMS:
        if pattern.search(low):
            return name
    return "other"


def load(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        r
        for r in rows
        if abs((date.fromisoformat(r["expected"]) - date.fromisoformat(r["reference"][:10])).days)
        <= WITHIN_DAYS
    ]


def theirs(text: str, ref: datetime) -> str | None:
    try:
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dev dependency
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(text, settings={"RELATIVE_BASE": ref, "PREFER_DATES_FROM": "future"})
    return found[0][1].date().isoformat() if found else None


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    records = load(path)
    totals: Counter[str] = Counter()
    ours_miss: Counter[str] = Counter()
    their_miss: Counter[str] = Counter()
    for r in records:
        ref = datetime.fromisoformat(r["reference"])
        form = form_of(r["text"])
        totals[form] += 1
        got = resolve_date(prepare(r["text"]), ref.date(), "neutral")
        ours_miss[form] += (got.isoformat() if got else None) != r["expected"]
        their_miss[form] += theirs(r["text"], ref) != r["expected"]
    n = len(records)
    print(f"== {path.name}: {n} single days within {WITHIN_DAYS} days of the reference")
    print(f"arrears resolve_date       {1 - sum(ours_miss.values()) / n:.3f}")
    print(f"dateparser search_dates    {1 - sum(their_miss.values()) / n:.3f}  (first found, future)")
    print(f"\n{'form':<20} {'count':>5} {'arrears miss':>13} {'dateparser miss':>16}")
    for form, count in totals.most_common():
        print(f"{form:<20} {count:5d} {ours_miss[form]:13d} {their_miss[form]:16d}")


if __name__ == "__main__":
    main(sys.argv)
