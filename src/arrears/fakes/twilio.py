"""A stand-in for api.twilio.com on 127.0.0.1: real sockets, the REST shapes the official SDK reads back.

It answers what Arrears asks of Twilio, shaped as Twilio documents it: creating Messages and Calls (201 and
the resource), listing them (Twilio's paging envelope: ``page``, ``page_size``, ``next_page_uri`` and the
records under ``messages``/``calls``, newest first, filtered by To, From, DateSent/StartTime), fetching the
Account, and listing IncomingPhoneNumbers by PhoneNumber. Errors are Twilio's JSON documents (``code``,
``message``, ``more_info``, ``status``): 401/20003 for a wrong auth token, 400/21211 for numbers listed in
``reject``, and whatever is queued in ``fail_next`` (429/20429 throttling, 500/20500 outage). Every request
is recorded (method, path, query, form, basic-auth user) for assertions.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from arrears.fakes import RunningFake

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fake-twilio-auth-token"
FROM_NUMBER = "+15005550006"
WHATSAPP_FROM = "+15005550007"
_API = "/2010-04-01/Accounts"
_ERRORS = {
    400: (21211, "Invalid 'To' Phone Number"),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


def error_body(status: int, code: int | None = None, message: str | None = None) -> dict[str, Any]:
    """Twilio's error document, as its REST API sends it."""
    known_code, known_message = _ERRORS.get(status, (status * 100, "Error"))
    code = code or known_code
    return {
        "code": code,
        "message": message or known_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, list[str]]
    account: str
    query: dict[str, list[str]] = field(default_factory=dict)

    def one(self, name: str) -> str:
        return self.form[name][0]


@dataclass
class FakeTwilio:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    latency: float = 0.0  # seconds each create takes: a provider slower than a lease
    account_sid: str = ACCOUNT_SID
    auth_token: str | None = None  # when set, a request with another token gets 401/20003
    numbers: set[str] = field(default_factory=lambda: {FROM_NUMBER})  # IncomingPhoneNumbers
    messages: list[dict[str, Any]] = field(default_factory=list)  # created, oldest first
    calls: list[dict[str, Any]] = field(default_factory=list)
    #: what to answer next, in order: a status (429, 500) with its usual code, or (status, code)
    fail_next: list[int | tuple[int, int]] = field(default_factory=list)
    page_size: int = 50
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def creates(self, kind: str = "Messages") -> list[Recorded]:
        """The create requests (POST) of that kind that reached the fake."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith(f"/{kind}.json")]


def _rfc2822(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)


def _message(fake: FakeTwilio, account: str, form: Mapping[str, list[str]], sid: str) -> dict[str, Any]:
    at = _rfc2822(fake.now())
    one = {name: values[0] for name, values in form.items()}
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "body": one.get("Body", ""),
        "date_created": at,
        "date_sent": at,
        "date_updated": at,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": one.get("From"),
        "messaging_service_sid": one.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "to": one.get("To"),
        "uri": f"{_API}/{account}/Messages/{sid}.json",
    }


def _call(fake: FakeTwilio, account: str, form: Mapping[str, list[str]], sid: str) -> dict[str, Any]:
    at = _rfc2822(fake.now())
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "date_created": at,
        "date_updated": at,
        "direction": "outbound-api",
        "from": form["From"][0],
        "sid": sid,
        "start_time": at,
        "end_time": None,
        "status": "queued",
        "to": form["To"][0],
        "uri": f"{_API}/{account}/Calls/{sid}.json",
    }


def _on_or_after(stamp: str | None, bound: str) -> bool:
    """Twilio's DateSent>= / StartTime>= compare days (GMT): a time in the bound is ignored."""
    if not stamp:
        return False
    return parsedate_to_datetime(stamp).date().isoformat() >= bound[:10]


def _matches(record: Mapping[str, Any], query: Mapping[str, str], stamp: str) -> bool:
    if "To" in query and record.get("to") != query["To"]:
        return False
    if "From" in query and record.get("from") != query["From"]:
        return False
    for name in (f"{stamp}>", f"{stamp}>="):  # the SDK sends "DateSent>"; curl users write ">="
        if name in query and not _on_or_after(record.get(_FIELD[stamp]), query[name]):
            return False
    return True


_FIELD = {"DateSent": "date_sent", "StartTime": "start_time"}


def _page(
    path: str, key: str, records: list[dict[str, Any]], query: dict[str, str], size: int
) -> dict[str, Any]:
    """Twilio's list envelope: one page of records and the URI of the next, if any."""
    page = int(query.get("Page", "0"))
    size = min(int(query.get("PageSize", str(size))), 1000)
    chunk = records[page * size : (page + 1) * size]
    base = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}

    def uri(n: int) -> str:
        return f"{path}?{urlencode(base | {'PageSize': size, 'Page': n})}"

    more = (page + 1) * size < len(records)
    token = {"PageToken": f"PA{chunk[-1]['sid']}"} if more and chunk else {}
    return {
        "first_page_uri": uri(0),
        "end": page * size + max(len(chunk) - 1, 0),
        "previous_page_uri": uri(page - 1) if page else None,
        key: chunk,
        "uri": uri(page),
        "page_size": size,
        "start": page * size,
        "next_page_uri": f"{uri(page + 1)}&{urlencode(token)}" if more else None,
        "page": page,
    }


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            del format, args

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            query = parse_qs(parts.query, keep_blank_values=True)
            user, password = _credentials(self.headers.get("Authorization", ""))
            fake.requests.append(Recorded(method, parts.path, form, user, query))
            if fake.fail_next:
                failure = fake.fail_next.pop(0)
                status, code = failure if isinstance(failure, tuple) else (failure, None)
                self._answer(status, error_body(status, code) if code else None)
                return
            if fake.auth_token is not None and (user, password) != (fake.account_sid, fake.auth_token):
                self._answer(401, None)
                return
            flat = {name: values[0] for name, values in query.items()}
            status, body = _route(fake, method, parts.path, user, form, flat)
            self._answer(status, body)

        def _answer(self, status: int, body: Mapping[str, object] | None) -> None:
            data = json.dumps(body if body is not None else error_body(status)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _credentials(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    return user, password


def _route(
    fake: FakeTwilio, method: str, path: str, user: str, form: dict[str, list[str]], query: dict[str, str]
) -> tuple[int, dict[str, Any] | None]:
    """(status, body) for one request; None as the body means Twilio's error document for the status."""
    rest = path.removeprefix(f"{_API}/")
    account, _, resource = rest.partition("/")
    account = account.removesuffix(".json")
    if fake.auth_token is not None and account != fake.account_sid:
        return 404, None
    if method == "GET" and not resource:
        return 200, {"sid": account, "friendly_name": "Arrears fake", "status": "active", "type": "Full"}
    if method == "POST" and resource in ("Messages.json", "Calls.json"):
        return _create(fake, account or user, resource, form)
    if method == "GET" and resource == "Messages.json":
        found = [m for m in reversed(fake.messages) if _matches(m, query, "DateSent")]
        return 200, _page(path, "messages", found, query, fake.page_size)
    if method == "GET" and resource == "Calls.json":
        found = [c for c in reversed(fake.calls) if _matches(c, query, "StartTime")]
        return 200, _page(path, "calls", found, query, fake.page_size)
    if method == "GET" and resource == "IncomingPhoneNumbers.json":
        wanted = query.get("PhoneNumber")
        numbers = [n for n in sorted(fake.numbers) if wanted in (None, n)]
        records = [{"sid": f"PN{abs(hash(n)):032x}"[:34], "phone_number": n} for n in numbers]
        return 200, _page(path, "incoming_phone_numbers", records, query, fake.page_size)
    return 404, None


def _create(
    fake: FakeTwilio, account: str, resource: str, form: dict[str, list[str]]
) -> tuple[int, dict[str, Any] | None]:
    time.sleep(fake.latency)
    to = form.get("To", [""])[0]
    if to in fake.reject or to.removeprefix("whatsapp:") in fake.reject:
        return 400, error_body(400, 21211, "Invalid 'To' Phone Number")
    n = next(fake.counter)
    if resource == "Calls.json":
        call = _call(fake, account, form, f"CA{n:032x}")
        fake.calls.append(call)
        return 201, call
    message = _message(fake, account, form, f"SM{n:032x}")
    fake.messages.append(message)
    return 201, message


def start(*, auth_token: str | None = AUTH_TOKEN, latency: float = 0.0) -> RunningFake:
    """Serve a fake Twilio; `env` points Arrears' Twilio settings at it (its account, token and numbers)."""
    return serve(auth_token=auth_token, latency=latency)[1]


def serve(*, auth_token: str | None = AUTH_TOKEN, latency: float = 0.0) -> tuple[FakeTwilio, RunningFake]:
    """The fake's state (for assertions) and its running server."""
    fake = FakeTwilio(auth_token=auth_token, latency=latency)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fake-twilio")
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    env = {
        "ARREARS_TWILIO_ACCOUNT_SID": fake.account_sid,
        "ARREARS_TWILIO_AUTH_TOKEN": auth_token or AUTH_TOKEN,
        "ARREARS_TWILIO_FROM_NUMBER": FROM_NUMBER,
        "ARREARS_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "ARREARS_TWILIO_API_BASE_URL": fake.url,
    }
    return fake, RunningFake("twilio", fake.url, env, stop)


@contextmanager
def fake_twilio(*, auth_token: str | None = None) -> Iterator[FakeTwilio]:
    """The fake for one test; with no auth token any account and token are accepted (older tests)."""
    fake, running = serve(auth_token=auth_token)
    try:
        yield fake
    finally:
        running.stop()
