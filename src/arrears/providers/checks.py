"""`arrears providers check`: each configured provider proves its credentials and settings with one
read-only call, and says plainly what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckResult:
    provider: str  # "smtp", "twilio", "stripe", "hubspot", ...
    ok: bool
    detail: str  # what was verified ("authenticated as acct_123") or what went wrong
    fix: str | None = None  # what to do about it, when not ok


#: A provider's check: makes its read-only call and never raises (a failure is a CheckResult).
ProviderCheck = Callable[[], CheckResult]
