"""From what Mailgun posts to what we store, and from what we stored back to an e-mail message.

The parsed route ("forward" to /v1/email/inbound/mailgun) posts the headers as `message-headers` (a JSON
list of [name, value] pairs), the text, Mailgun's own `stripped-text` (the reply without the quoted
history) and attachments as files; the raw route (a URL ending in "mime") posts the whole message as
`body-mime`. A bounce's report parts (message/delivery-status, the returned headers) are kept from the
files, so a DSN reads the same whichever route carried it.
"""

from __future__ import annotations

import json
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from arrears.interactions.email_text import message_ids
from arrears.providers.mailgun.forms import Form

_REPORT_TYPES = frozenset(
    {"message/delivery-status", "message/rfc822", "text/rfc822-headers", "message/rfc822-headers"}
)
_BODY_FIELDS = {
    "body-delivery-status": "message/delivery-status",
    "body-rfc822-headers": "text/rfc822-headers",
}
_REPORT_PART_MAX = 64 * 1024
_PARSED_FIELDS = ("recipient", "sender", "from", "subject", "message-headers", "body-plain", "stripped-text")
_MIME_FIELDS = ("recipient", "sender", "from", "subject", "body-mime")
_BODY_HEADERS = frozenset({"content-type", "content-transfer-encoding", "mime-version"})
_BOUNDARY = "arrears-report-part"


def stored_payload(form: Form, *, raw: bool) -> dict[str, Any]:
    """What the inbox keeps of a verified post: the fields the handler reads, never the signature."""
    names = _MIME_FIELDS if raw else _PARSED_FIELDS
    payload: dict[str, Any] = {name: form.fields[name] for name in names if name in form.fields}
    payload["route"] = "mime" if raw else "parsed"
    payload["token"] = form.fields.get("token", "")
    if not raw:
        parts = [
            [upload.content_type, upload.content[:_REPORT_PART_MAX].decode("utf-8", errors="replace")]
            for upload in form.files
            if upload.content_type in _REPORT_TYPES
        ]
        # Mailgun posts a non-text body part "foo" as the field "body-foo".
        parts += [[t, form.fields[f][:_REPORT_PART_MAX]] for f, t in _BODY_FIELDS.items() if f in form.fields]
        payload["report_parts"] = parts
    return payload


def header_pairs(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """`message-headers` as (name, value) pairs; a field that is not such a list is an error naming it."""
    try:
        pairs = json.loads(payload.get("message-headers") or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError("message-headers must be a JSON list of [name, value] pairs") from exc
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise ValueError("message-headers must be a JSON list of [name, value] pairs")
    return [(str(name), str(value)) for name, value in pairs]


def external_id(payload: dict[str, Any]) -> str:
    """The e-mail's identity in the inbox: its Message-ID (so both routes and every retry collapse into
    one), else Mailgun's token for this post."""
    if payload.get("route") == "mime":
        head = str(payload.get("body-mime", "")).split("\n\n", 1)[0].split("\r\n\r\n", 1)[0]
        found = BytesParser(policy=policy.compat32).parsebytes(head.encode("utf-8", errors="replace"), True)
        ids = message_ids(str(found.get("Message-ID", "")))
    else:
        value = next((v for n, v in header_pairs(payload) if n.lower() == "message-id"), "")
        ids = message_ids(value)
    return ids[0] if ids else str(payload.get("token", ""))


def to_message(payload: dict[str, Any]) -> Message:
    """The e-mail as a parsed message: the raw MIME itself, or one rebuilt from Mailgun's parsed fields."""
    if payload.get("route") == "mime":
        raw = str(payload.get("body-mime", "")).encode("utf-8", errors="replace")
        return BytesParser(policy=policy.default).parsebytes(raw)
    lines = [
        f"{name}: {_one_line(value)}"
        for name, value in header_pairs(payload)
        if name.lower() not in _BODY_HEADERS and name.strip() and ":" not in name
    ]
    named = {name.lower() for name, _ in header_pairs(payload)}
    lines += [
        f"{h}: {_one_line(str(payload[h.lower()]))}"
        for h in ("From", "Subject")
        if h.lower() not in named and payload.get(h.lower())
    ]
    lines.append("MIME-Version: 1.0")
    plain = str(payload.get("body-plain", ""))
    parts = payload.get("report_parts") or []
    original_type = next((v for n, v in header_pairs(payload) if n.lower() == "content-type"), "")
    if parts and original_type.lower().startswith("multipart/report"):
        lines.append(f'Content-Type: multipart/report; report-type=delivery-status; boundary="{_BOUNDARY}"')
        body = [f"--{_BOUNDARY}", "Content-Type: text/plain; charset=utf-8", "", plain]
        for content_type, text in parts:
            body += [f"--{_BOUNDARY}", f"Content-Type: {content_type}", "", str(text)]
        body.append(f"--{_BOUNDARY}--")
        text = "\n".join(lines) + "\n\n" + "\n".join(body)
    else:
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        text = "\n".join(lines) + "\n\n" + plain
    return BytesParser(policy=policy.default).parsebytes(text.encode("utf-8"))


def _one_line(value: str) -> str:
    return " ".join(value.split())
