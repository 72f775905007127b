"""A stand-in for api.stripe.com on 127.0.0.1, and Stripe's side of a payment: signed webhook events.

It answers what Arrears asks of Stripe, shaped as Stripe documents it: form-encoded bodies with nested
keys (``line_items[0][price_data][currency]``), ``Authorization: Bearer <key>``, JSON objects with their
``object`` name, and ``Idempotency-Key``: the same key with the same parameters replays the first answer
(``Idempotent-Replayed: true``), with other parameters it is a 400 ``idempotency_error``. Errors are
Stripe's ``{"error": {"type", "code", "message", "param"}}``: 401 for another key, 403 for a restricted
key listed in ``restricted``, and whatever is queued in ``fail_next`` (402, 429 ``rate_limit``, 500
``api_error``). `pay` plays the customer paying: it completes the session and POSTs the events Stripe
sends (``checkout.session.completed``, ``payment_intent.succeeded``), signed ``t=...,v1=...`` with the
endpoint's secret; `refund` sends ``charge.refunded``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import stripe

from arrears.fakes import RunningFake

API_KEY = "sk_test_fake_arrears_0000000000000000"
WEBHOOK_SECRET = "whsec_fake_arrears_0000000000000000"
API_VERSION = stripe.api_version
_REUSED = (
    "Keys for idempotent requests can only be used with the same parameters they were first used with. "
    "Try using a key other than '{key}' if you meant to execute a different request."
)
_NO_PERMISSION = (
    "The provided key does not have the required permissions for this endpoint. "
    "Having the 'rak_balance_read' permission would allow this request to continue."
)
_EXPIRES = (
    "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation."
)
_ERRORS = {
    400: ("invalid_request_error", None, "Invalid request."),
    402: ("card_error", "card_declined", "Your card was declined."),
    404: ("invalid_request_error", "resource_missing", "No such object."),
    409: ("idempotency_error", None, "A request with this key is already in progress."),
    429: ("invalid_request_error", "rate_limit", "Request rate limit exceeded. Please retry later."),
    500: ("api_error", None, "An unknown error occurred."),
}


def error_body(
    status: int,
    message: str | None = None,
    param: str | None = None,
    code: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Stripe's error document."""
    known_kind, known_code, known = _ERRORS.get(status, ("api_error", None, "An error occurred."))
    kind = kind or known_kind
    error: dict[str, Any] = {"type": kind, "message": message or known}
    if code or known_code:
        error["code"] = code or known_code
    if param:
        error["param"] = param
    return {"error": error}


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's nested form keys (a[b][0][c]=v) as the JSON-like value they stand for."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    parsed: dict[str, Any] = _lists(root)
    return parsed


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


class StripeFailure(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


@dataclass
class FakeStripe:
    api_key: str = API_KEY
    webhook_secret: str = WEBHOOK_SECRET
    now: Callable[[], float] = time.time
    url: str = ""
    restricted: set[str] = field(default_factory=set)  # keys that lack permissions: 403
    fail_next: list[int] = field(default_factory=list)  # statuses the next API calls answer
    requests: list[tuple[str, str, dict[str, Any], str | None]] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    replays: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self.counter):06d}{secrets.token_hex(4)}"

    def creations(self, path: str) -> list[dict[str, Any]]:
        """The POST bodies Stripe received on a path (a replayed key included)."""
        return [form for method, p, form, _ in self.requests if method == "POST" and p == path]

    def handle(
        self, method: str, path: str, form: dict[str, Any], key: str | None, auth: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.requests.append((method, path, form, key))
            if auth != f"Bearer {self.api_key}" and auth.removeprefix("Bearer ") not in self.restricted:
                shown = auth.removeprefix("Bearer ")[-4:]
                return 401, error_body(401, f"Invalid API Key provided: sk_****{shown}"), {}
            if self.fail_next:
                status = self.fail_next.pop(0)
                return status, error_body(status), {"Stripe-Should-Retry": "false"} if status == 429 else {}
            if auth.removeprefix("Bearer ") in self.restricted:
                return 403, error_body(400, _NO_PERMISSION), {}
            if method == "POST" and key is not None and key in self.replays:
                first_form, status, body = self.replays[key]
                if first_form != form:
                    return 400, error_body(400, _REUSED.format(key=key), kind="idempotency_error"), {}
                return status, body, {"Idempotent-Replayed": "true"}
            try:
                status, body = self._route(method, path, form)
            except StripeFailure as failure:
                status, body = failure.status, failure.body
            if method == "POST" and key is not None and status < 500:
                self.replays[key] = (form, status, body)
            return status, body, {}

    def _route(self, method: str, path: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/v1/balance":
            amount = [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}]
            return 200, {"object": "balance", "available": amount, "pending": amount, "livemode": False}
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(form, None)
        if method == "POST" and path == "/v1/payment_links":
            return 200, self._create_link(form)
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            found = self.sessions.get(path.rsplit("/", 1)[1])
            if found is None:
                raise StripeFailure(404, error_body(404, "No such checkout.session", "id"))
            return 200, found
        raise StripeFailure(404, error_body(404, f"Unrecognized request URL ({method}: {path})."))

    def _line(self, form: dict[str, Any]) -> tuple[int, str, str]:
        items = form.get("line_items")
        if not isinstance(items, list) or not items:
            raise StripeFailure(
                400, error_body(400, "Missing required param: line_items.", "line_items", "parameter_missing")
            )
        price = items[0].get("price_data") or {}
        for name in ("currency", "unit_amount"):
            if name not in price:
                param = f"line_items[0][price_data][{name}]"
                raise StripeFailure(
                    400, error_body(400, f"Missing required param: {param}.", param, "parameter_missing")
                )
        if not str(price["unit_amount"]).isdigit():
            param = "line_items[0][price_data][unit_amount]"
            raise StripeFailure(400, error_body(400, "Invalid integer.", param, "parameter_invalid_integer"))
        name = (price.get("product_data") or {}).get("name") or ""
        return int(price["unit_amount"]) * int(items[0].get("quantity", 1)), str(price["currency"]), name

    def _create_session(self, form: dict[str, Any], link: dict[str, Any] | None) -> dict[str, Any]:
        now = int(self.now())
        if link is None:
            if form.get("mode") != "payment":
                raise StripeFailure(
                    400, error_body(400, "Missing required param: mode.", "mode", "parameter_missing")
                )
            amount, currency, _ = self._line(form)
            expires = int(form.get("expires_at") or now + 86400)
            if not now + 1800 <= expires <= now + 86400:
                raise StripeFailure(
                    400,
                    error_body(
                        400,
                        _EXPIRES,
                        "expires_at",
                    ),
                )
            metadata, pi_metadata = (
                form.get("metadata") or {},
                (form.get("payment_intent_data") or {}).get("metadata") or {},
            )
        else:
            amount, currency, expires = link["_amount"], link["currency"], now + 86400
            metadata, pi_metadata = link["metadata"], link["_pi_metadata"]
        sid = self.new_id("cs_test")
        session = {
            "id": sid, "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "amount_subtotal": amount, "amount_total": amount,
            "currency": currency, "created": now, "expires_at": expires, "livemode": False,
            "metadata": metadata, "client_reference_id": form.get("client_reference_id"),
            "payment_intent": None, "payment_link": link["id"] if link else None,
            "url": f"{self.url}/c/pay/{sid}", "_pi_metadata": pi_metadata,
        }  # fmt: skip
        self.sessions[sid] = session
        return _public(session)

    def _create_link(self, form: dict[str, Any]) -> dict[str, Any]:
        amount, currency, _ = self._line(form)
        lid = self.new_id("plink")
        link = {
            "id": lid, "object": "payment_link", "active": True, "currency": currency, "livemode": False,
            "metadata": form.get("metadata") or {}, "url": f"{self.url}/test_{lid}",
            "restrictions": form.get("restrictions"), "_amount": amount,
            "_pi_metadata": (form.get("payment_intent_data") or {}).get("metadata") or {},
        }  # fmt: skip
        self.links[lid] = link
        return _public(link)

    def complete(self, ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The customer pays: the session (made from the link for a plink_) and its PaymentIntent."""
        with self.lock:
            made = self._create_session({}, self.links[ref]) if ref.startswith("plink_") else None
            session_id = str(made["id"]) if made else ref
            session = self.sessions[session_id]
            pi = self.new_id("pi")
            session.update(status="complete", payment_status="paid", payment_intent=pi)
            intent = {
                "id": pi, "object": "payment_intent", "amount": session["amount_total"],
                "amount_received": session["amount_total"], "currency": session["currency"],
                "status": "succeeded", "created": int(self.now()), "livemode": False,
                "metadata": session["_pi_metadata"], "latest_charge": self.new_id("ch"),
            }  # fmt: skip
            return _public(session), intent


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def event(kind: str, obj: dict[str, Any], created: int) -> dict[str, Any]:
    """A snapshot event as Stripe sends it to a webhook endpoint."""
    return {
        "id": f"evt_fake{secrets.token_hex(12)}", "object": "event", "api_version": API_VERSION,
        "created": created, "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": kind,
    }  # fmt: skip


def signed(payload: str, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header: t=<unix>,v1=HMAC-SHA256("<t>.<payload>")."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp))


def deliver(webhook_url: str, body: dict[str, Any], secret: str, timestamp: int) -> int:
    """POST one event as Stripe does (JSON, signed); returns the HTTP status."""
    payload = json.dumps(body, separators=(",", ":"))
    request = urllib.request.Request(
        webhook_url,
        data=payload.encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signed(payload, secret, timestamp),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def payment_events(fake: FakeStripe, ref: str) -> list[dict[str, Any]]:
    """The two events Stripe sends for one paid Checkout Session (cs_) or Payment Link (plink_)."""
    session, intent = fake.complete(ref)
    created = int(fake.now())
    return [
        event("checkout.session.completed", session, created),
        event("payment_intent.succeeded", intent, created),
    ]


def refund_event(fake: FakeStripe, intent: dict[str, Any], refunded_minor: int) -> dict[str, Any]:
    charge = {
        "id": intent["latest_charge"], "object": "charge", "amount": intent["amount_received"],
        "amount_refunded": refunded_minor, "refunded": refunded_minor >= intent["amount_received"],
        "currency": intent["currency"], "payment_intent": intent["id"], "metadata": intent["metadata"],
        "status": "succeeded", "livemode": False,
    }  # fmt: skip
    return event("charge.refunded", charge, int(fake.now()))


def pay(fake: FakeStripe, ref: str, webhook_url: str) -> list[int]:
    """The customer pays `ref` (cs_ or plink_): Stripe's two events, delivered signed to our webhook."""
    return [deliver(webhook_url, e, fake.webhook_secret, int(fake.now())) for e in payment_events(fake, ref)]


_RUNNING: dict[str, FakeStripe] = {}


def fake_at(url: str) -> FakeStripe:
    """The fake serving at `url` (the demo pays through it)."""
    return _RUNNING[url]


def serve(fake: FakeStripe, port: int = 0) -> Callable[[], None]:
    """Serve `fake` on 127.0.0.1 (its url set); returns stop."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            return

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            form = parse_form(body if method == "POST" else query)
            status, answer, headers = fake.handle(
                method, path, form, self.headers.get("Idempotency-Key"), self.headers.get("Authorization", "")
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake{next(fake.counter):06d}")
            self.send_header("Stripe-Version", API_VERSION)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-stripe", daemon=True)
    thread.start()
    _RUNNING[fake.url] = fake

    def stop() -> None:
        _RUNNING.pop(fake.url, None)
        server.shutdown()
        server.server_close()

    return stop


def start(
    api_key: str = API_KEY,
    webhook_secret: str = WEBHOOK_SECRET,
    port: int = 0,
    now: Callable[[], float] = time.time,
) -> RunningFake:
    """A fake Stripe serving on 127.0.0.1; `env` points the product at it (see `fake_at` for its state)."""
    fake = FakeStripe(api_key=api_key, webhook_secret=webhook_secret, now=now)
    stop = serve(fake, port)
    env = {
        "ARREARS_STRIPE_API_KEY": api_key,
        "ARREARS_STRIPE_WEBHOOK_SECRET": webhook_secret,
        "ARREARS_STRIPE_API_BASE": fake.url,
    }
    return RunningFake("stripe", fake.url, env, stop)
