"""The Salesforce edge: typed settings, the `simple-salesforce` client, and Salesforce's error arrays
([{"message", "errorCode"}]) read into refused-for-good or unavailable-for-now.

Three ways in, as simple-salesforce offers them: a session id (an access token) with the instance URL;
OAuth 2.0 client credentials (consumer key and secret of a connected app, against the org's My Domain); or
username, password and security token (SOAP login). The client is made on first use, so building the
system never calls Salesforce. `api_base` replaces the scheme and host of every request through the
library's documented seam, a custom `requests.Session`: a proxy, or the local fake in tests and the demo.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
)

from arrears.writeback.base import DeliveryRefused, DeliveryUnavailable

#: Errors a call may raise: an HTTP answer Salesforce gave, a failed login, or no answer at all.
SDK_ERRORS: tuple[type[Exception], ...] = (SalesforceError, requests.RequestException)

SESSION_FIX = (
    "set ARREARS_SALESFORCE_SESSION_ID to a fresh access token, or configure a connected app "
    "(ARREARS_SALESFORCE_CONSUMER_KEY/_SECRET and ARREARS_SALESFORCE_DOMAIN) or "
    "ARREARS_SALESFORCE_USERNAME/_PASSWORD/_SECURITY_TOKEN, so sessions renew themselves"
)
_UNAVAILABLE_CODES = {
    "REQUEST_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
    "UNABLE_TO_LOCK_ROW",
    "API_CURRENTLY_DISABLED",
}
_LIMIT_WAIT = 600.0  # the daily API limit is a rolling 24 h window: try again in ten minutes


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    """Filled by the composition root from ARREARS_SALESFORCE_*."""

    instance_url: str | None = None
    session_id: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    username: str | None = None
    password: str | None = None
    security_token: str | None = None
    domain: str | None = None  # "login", "test" or the My Domain ("acme.my")
    api_version: str = "59.0"
    api_base: str | None = None
    timeout_seconds: float = 10.0

    def login_kwargs(self) -> dict[str, Any]:
        """The arguments simple-salesforce authenticates with, the first complete way in winning."""
        common: dict[str, Any] = {"version": self.api_version}
        if self.session_id and self.instance_url:
            return {**common, "session_id": self.session_id, "instance_url": self.instance_url}
        if self.consumer_key and self.consumer_secret and self.domain:
            return {**common, "consumer_key": self.consumer_key, "consumer_secret": self.consumer_secret,
                    "domain": self.domain}  # fmt: skip
        if self.username and self.password and self.security_token is not None:
            return {**common, "username": self.username, "password": self.password,
                    "security_token": self.security_token, "domain": self.domain or "login"}  # fmt: skip
        raise ValueError(
            "salesforce: set ARREARS_SALESFORCE_INSTANCE_URL and ARREARS_SALESFORCE_SESSION_ID, or "
            "ARREARS_SALESFORCE_CONSUMER_KEY, _CONSUMER_SECRET and _DOMAIN, or _USERNAME, _PASSWORD and "
            "_SECURITY_TOKEN"
        )


class _Session(requests.Session):
    """Every request with a timeout, and sent to `api_base` when one is set (same path and query)."""

    def __init__(self, api_base: str | None, timeout: float) -> None:
        super().__init__()
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if self.api_base:
            parts = urlsplit(url)
            url = self.api_base + parts.path + (f"?{parts.query}" if parts.query else "")
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class LazyClient:
    """The Salesforce client, logged in on first use (and again after a failed login)."""

    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self._client: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._client is None:
                session = _Session(self.config.api_base, self.config.timeout_seconds)
                self._client = Salesforce(session=session, **self.config.login_kwargs())
            return self._client


def error_code(exc: Exception) -> str:
    """The errorCode of Salesforce's first error ("" when the answer had none)."""
    return _first_error(exc)[0]


def _first_error(exc: Exception) -> tuple[str, str]:
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))[:300]
    return "", ""


def delivery_error(exc: Exception, doing: str) -> DeliveryRefused | DeliveryUnavailable:
    """Salesforce's answer as refused (a person must act) or unavailable (limits, 5xx, no answer)."""
    if isinstance(exc, SalesforceAuthenticationFailed):
        return DeliveryRefused(f"Salesforce login failed while {doing}: {SESSION_FIX}")
    status = getattr(exc, "status", None)
    if not isinstance(status, int):
        return DeliveryUnavailable(f"Salesforce unreachable while {doing}: {type(exc).__name__}")
    code, message = _first_error(exc)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return DeliveryUnavailable(f"Salesforce API limit reached while {doing}", retry_after=_LIMIT_WAIT)
    if status >= 500 or status in (408, 429) or code in _UNAVAILABLE_CODES:
        return DeliveryUnavailable(
            f"Salesforce answered {status} {code or ''} while {doing}".replace("  ", " ")
        )
    if status == 401:
        return DeliveryRefused(f"Salesforce refused the session ({code or 401}) while {doing}: {SESSION_FIX}")
    return DeliveryRefused(f"Salesforce refused ({status} {code}) while {doing}: {message}")
