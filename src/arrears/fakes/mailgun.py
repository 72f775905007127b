"""Mailgun's inbound route, played from our side: an e-mail posted to our webhook exactly as Mailgun's
"forward" action posts it, signed with the webhook signing key as Mailgun signs it.

Mailgun calls us, so this module is mostly the client half: `post_inbound(base_url,
signing_key, message)` posts a customer's reply or a bounce to a running `arrears serve` (the demo) or to
a FastAPI TestClient (the tests). The parsed route gets Mailgun's fields (`message-headers` as a JSON list
of pairs, `body-plain`, `stripped-text`, non-text parts as attachments, multipart/form-data only when there
are attachments); a URL ending in "mime" gets the raw message as `body-mime`. `customer_reply` and
`bounce_for` build the two messages the demo needs. `start(api_key, routes)` serves the one API call
`arrears providers check` makes (GET /v3/routes, HTTP basic auth `api:<key>`, 401 "Forbidden" otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from arrears.fakes import RunningFake

PARSED_PATH = "/v1/email/inbound/mailgun"
MIME_PATH = "/v1/email/inbound/mailgun/mime"
_QUOTED = re.compile(r"^(On .* wrote:|>)", re.MULTILINE)


def signed(signing_key: str, *, timestamp: int | None = None, token: str | None = None) -> dict[str, str]:
    """timestamp, token (50 random characters) and signature: the hex HMAC-SHA256 of timestamp + token."""
    stamp = str(timestamp if timestamp is not None else int(datetime.now(UTC).timestamp()))
    nonce = token or secrets.token_hex(25)
    digest = hmac.new(signing_key.encode(), f"{stamp}{nonce}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp, "token": nonce, "signature": digest}


def post_inbound(
    base_url: str,
    signing_key: str,
    message: EmailMessage,
    *,
    recipient: str | None = None,
    raw: bool = False,
    client: httpx.Client | None = None,
    timestamp: int | None = None,
    token: str | None = None,
    signature: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST `message` as Mailgun would; `signature` overrides the signed fields (a forged or stale
    request in tests), and `client` (a TestClient) replaces a real connection to `base_url`."""
    to = recipient or parseaddr(str(message.get("To", "")))[1]
    fields, files = mime_fields(message, to) if raw else parsed_fields(message, to)
    fields |= (
        dict(signature) if signature is not None else signed(signing_key, timestamp=timestamp, token=token)
    )
    url = base_url.rstrip("/") + (MIME_PATH if raw else PARSED_PATH)
    http = client or httpx.Client(timeout=10.0)
    try:
        if files:
            return http.post(url, data=fields, files=files)
        return http.post(url, data=fields)
    finally:
        if client is None:
            http.close()


def parsed_fields(message: EmailMessage, recipient: str) -> tuple[dict[str, str], list[Any]]:
    """The parsed route's form: Mailgun's fields and, as files, the parts that are neither text nor HTML."""
    plain = _body(message, "plain")
    fields = {
        "recipient": recipient,
        "sender": _envelope_sender(message),
        "from": str(message.get("From", "")),
        "subject": str(message.get("Subject", "")),
        "message-headers": json.dumps([[k, str(v)] for k, v in message.items()]),
        "body-plain": plain,
    }
    html = _body(message, "html")
    if html:
        fields["body-html"] = html
    quoted = _QUOTED.search(plain)
    fields["stripped-text"] = (plain[: quoted.start()] if quoted else plain).strip()
    files = [
        (f"attachment-{n}", (f"part-{n}", _bytes(part), part.get_content_type()))
        for n, part in enumerate(_attachments(message), start=1)
    ]
    if files:
        fields["attachment-count"] = str(len(files))
    return fields, files


def mime_fields(message: EmailMessage, recipient: str) -> tuple[dict[str, str], list[Any]]:
    fields = {
        "recipient": recipient,
        "sender": _envelope_sender(message),
        "from": str(message.get("From", "")),
        "subject": str(message.get("Subject", "")),
        "body-mime": message.as_bytes(policy=policy.SMTP).decode("utf-8", errors="replace"),
    }
    return fields, []


def customer_reply(
    sender: str,
    to: str,
    text: str,
    *,
    in_reply_to: str | None = None,
    quoted: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A customer's answer as a mail client writes it: In-Reply-To and References naming our message,
    and our message quoted below "On ... wrote:"."""
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = "Re: Your account"
    message["Date"] = format_datetime(datetime(2026, 3, 10, 15, 5, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    body = text
    if quoted:
        prefixed = "\n".join(f"> {line}" for line in quoted.splitlines())
        body += f"\n\nOn Tue, Mar 10, 2026 at 10:00 AM Billing <{to}> wrote:\n{prefixed}\n"
    message.set_content(body)
    return message


def bounce_for(
    original_message_id: str,
    recipient: str,
    to: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    idempotency_key: str | None = None,
) -> EmailMessage:
    """A Postfix-style RFC 3464 DSN for our message, returning its headers (text/rfc822-headers)."""
    code = "550" if status.startswith("5") else "450"
    key = f"X-Arrears-Idempotency-Key: {idempotency_key}\n" if idempotency_key else ""
    raw = f"""From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {make_msgid(domain="mx.example.net")}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"

--dsn-boundary
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--dsn-boundary
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {code} {status} mailbox unavailable

--dsn-boundary
Content-Type: text/rfc822-headers

Message-ID: <{original_message_id}>
To: {recipient}
Subject: Your account
{key}
--dsn-boundary--
"""
    parsed = BytesParser(policy=policy.default).parsebytes(raw.encode())
    assert isinstance(parsed, EmailMessage)
    return parsed


def _envelope_sender(message: Message) -> str:
    if message.get_content_type() == "multipart/report":
        return ""  # a bounce comes from the null sender <>
    return parseaddr(str(message.get("Return-Path") or message.get("From", "")))[1]


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    if part is None or part.get_content_type() != f"text/{kind}":
        return ""
    content = part.get_payload(decode=True)
    return content.decode(part.get_content_charset() or "utf-8") if isinstance(content, bytes) else ""


def _attachments(message: Message) -> list[Message]:
    """Every part but the text and HTML bodies; a message/* part whole (a DSN's report, a returned mail)."""
    found: list[Message] = []
    for part in message.get_payload() if message.is_multipart() else []:
        assert isinstance(part, Message)
        kind = part.get_content_type()
        if kind.startswith("message/"):
            found.append(part)
        elif part.is_multipart():
            found += _attachments(part)
        elif kind not in ("text/plain", "text/html"):
            found.append(part)
    return found


def _bytes(part: Message) -> bytes:
    if part.get_content_type().startswith("message/"):
        return part.as_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[-1]
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def route(forward_to: str, recipient: str = "billing@mail.brightwater.example") -> dict[str, Any]:
    """A route as Mailgun's Routes API lists it: match the recipient, forward to our URL, stop."""
    return {
        "id": hashlib.sha1(forward_to.encode()).hexdigest()[:24],
        "priority": 0,
        "description": "Arrears inbound",
        "expression": f'match_recipient("{recipient}")',
        "actions": [f'forward("{forward_to}")', "stop()"],
        "created_at": "Tue, 10 Mar 2026 15:00:00 GMT",
    }


def start(api_key: str = "key-fake", routes: Sequence[dict[str, Any]] = ()) -> RunningFake:
    """Mailgun's Routes API on 127.0.0.1: GET /v3/routes answers the routes to the right key."""
    expected = "Basic " + base64.b64encode(f"api:{api_key}".encode()).decode()
    listing = json.dumps({"total_count": len(routes), "items": list(routes)}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self._answer(401, b"Forbidden", "text/plain")
            elif self.path.split("?", 1)[0] == "/v3/routes":
                self._answer(200, listing, "application/json")
            else:
                self._answer(404, b'{"message": "Not Found"}', "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fake-mailgun")
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {"ARREARS_MAILGUN_API_BASE": url, "ARREARS_MAILGUN_API_KEY": api_key}
    return RunningFake("mailgun", url, env, stop)
