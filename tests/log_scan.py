"""The whole suite's log output, scanned for personal data and secrets (issue 10: "0 found").

Every record the `arrears` and `uvicorn` loggers emit while the suite runs (at every level, tracebacks
included) is formatted and searched for phone numbers, e-mail addresses, card-like numbers that pass the
Luhn check, API keys and SQL parameters. The output of every `arrears` process the reliability suite starts
is registered in `SPAWNED_LOGS` (tests/reliability/processes.py) and scanned line by line at the end.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

PATTERNS = {
    "phone number": re.compile(r"\+\d{10,15}\b"),
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "API key": re.compile(r"\barr_[0-9a-f]{12}_[\w-]{20,}"),
    "SQL parameters": re.compile(r"\[parameters: "),
}
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
LOGGERS = ("arrears", "uvicorn", "uvicorn.error")
#: Output files of spawned `arrears` processes, scanned when the session ends.
SPAWNED_LOGS: list[Path] = []


def luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def findings(line: str) -> list[str]:
    found = [name for name, pattern in PATTERNS.items() if pattern.search(line)]
    for match in _CARD.finditer(line):
        digits = re.sub(r"\D", "", match.group())
        if luhn(digits):
            found.append("card-like number")
    return found


@dataclass
class LogScan(logging.Handler):
    lines: int = 0
    leaks: list[tuple[str, str]] = field(default_factory=list)
    formatter_: logging.Formatter = field(default_factory=lambda: logging.Formatter("%(name)s %(message)s"))

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        text = self.formatter_.format(record)
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        for line in f"{text} {extra}".splitlines():
            self.lines += 1
            for kind in findings(line):
                self.leaks.append((kind, line[:300]))

    def scan_text(self, text: str) -> None:
        """Scan another process's whole output, line by line."""
        for line in text.splitlines():
            self.lines += 1
            for kind in findings(line):
                self.leaks.append((kind, line[:300]))

    def scan_spawned(self) -> int:
        """Scan every registered spawned-process log that exists; returns how many files were read."""
        files = [path for path in SPAWNED_LOGS if path.exists()]
        for path in files:
            self.scan_text(path.read_text(errors="replace"))
        return len(files)

    def __hash__(self) -> int:
        return id(self)


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def attach() -> LogScan:
    scan = LogScan()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(scan)
        if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
            logger.setLevel(logging.DEBUG)
    return scan
