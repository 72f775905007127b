"""Reading a bounce: an RFC 3464 delivery status notification, whoever carried it (Mailgun, IMAP, ...).

Pure: a parsed message in, a `Bounce` out (or None when the message is no DSN). A DSN names the failed
recipient, what happened (Action) and why (an RFC 3463 Status), and returns the original message or its
headers, whose Message-ID and X-Arrears-Idempotency-Key lead back to the send that bounced.

A bounce is hard when the action is `failed` with a permanent 5.x.x status; a `delayed` action or a
4.x.x status is soft (the relay is still trying). A hard bounce condemns the address unless its status is
about the message rather than the mailbox (5.6.x media, 5.7.x security or policy): a spam filter's refusal
says nothing about whether the address exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr

KEY_HEADER = "X-Arrears-Idempotency-Key"
_STATUS = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})")
_NOT_THE_ADDRESS = frozenset({"6", "7"})  # RFC 3463 subjects: media, security or policy
_RETURNED = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers")
_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[^\s<>;:\"']+@[^\s<>;:\"']+")


@dataclass(frozen=True, slots=True)
class Bounce:
    action: str  # failed | delayed | ... (RFC 3464 2.3.3), lower case
    status: str  # "5.1.1"; "" when the report gave none
    recipient: str | None  # the Final-Recipient (else Original-Recipient) address
    diagnostic: str | None  # the remote server's words, for a person reading the record
    message_ids: tuple[str, ...]  # the original's Message-ID, without angle brackets
    envelope_id: str | None  # Original-Envelope-Id: our ENVID when the relay passed it on
    idempotency_key: str | None  # the original's X-Arrears-Idempotency-Key

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5.")

    @property
    def condemns_address(self) -> bool:
        """Whether the address itself is dead (not just this message refused)."""
        match = _STATUS.match(self.status)
        return self.hard and match is not None and match.group(2) not in _NOT_THE_ADDRESS

    @property
    def reason(self) -> str:
        """Short and free of personal data: the status and the start of the diagnostic code."""
        diagnostic = f" {_ADDRESS.sub('<address>', self.diagnostic)[:120]}" if self.diagnostic else ""
        return f"{self.action} {self.status}{diagnostic}".strip()


def read_dsn(message: Message) -> Bounce | None:
    """The bounce this message reports, or None when it is not a delivery status notification."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "", header="content-type")).lower() != "delivery-status":
        return None
    status_part = _part(message, ("message/delivery-status", "message/global-delivery-status"))
    if status_part is None:
        return None
    per_message, recipients = _fields(status_part)
    if not recipients:
        return None
    chosen = _worst(recipients)
    returned = _returned_headers(message)
    ids = tuple(_ID.findall(returned.get("Message-ID", "") or "")) if returned else ()
    recipient = chosen.get("final-recipient") or chosen.get("original-recipient") or ""
    return Bounce(
        action=chosen.get("action", "").strip().lower(),
        status=_status(chosen.get("status", "")),
        recipient=_address(recipient),
        diagnostic=_one_line(chosen.get("diagnostic-code")),
        message_ids=ids,
        envelope_id=_one_line(per_message.get("original-envelope-id")),
        idempotency_key=_one_line(returned.get(KEY_HEADER)) if returned else None,
    )


def _part(message: Message, types: tuple[str, ...]) -> Message | None:
    for part in message.walk():
        if part.get_content_type() in types:
            return part
    return None


def _fields(status_part: Message) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The per-message block and the per-recipient blocks of a delivery-status part, keys lower-cased."""
    payload = status_part.get_payload()
    if isinstance(payload, list):
        blocks = [
            {k.lower(): str(v) for k, v in block.items()} for block in payload if isinstance(block, Message)
        ]
    else:  # a parser that left it as text: blocks are separated by blank lines
        text = status_part.get_payload(decode=True)
        raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(payload)
        chunks = re.split(r"\r?\n\s*\r?\n", raw.strip())
        blocks = [{k.lower(): str(v) for k, v in HeaderParser().parsestr(c).items()} for c in chunks]
    if not blocks:
        return {}, []
    return blocks[0], [b for b in blocks[1:] if "action" in b or "status" in b]


def _worst(recipients: list[dict[str, str]]) -> dict[str, str]:
    """A failure outranks a delay outranks anything else (our mail has one recipient, but relays vary)."""
    rank = {"failed": 0, "delayed": 1}
    return min(recipients, key=lambda r: rank.get(r.get("action", "").strip().lower(), 2))


def _returned_headers(message: Message) -> Message | None:
    part = _part(message, _RETURNED)
    if part is None:
        return None
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0]
        return None
    content = part.get_payload(decode=True)
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(part.get_payload())
    return HeaderParser().parsestr(text)


def _status(value: str) -> str:
    match = _STATUS.match(value.strip())
    return match.group(0) if match else ""


def _address(typed: str) -> str | None:
    """`rfc822; dana@example.org` -> `dana@example.org`."""
    value = typed.split(";", 1)[1] if ";" in typed else typed
    address = parseaddr(value.strip())[1] or value.strip()
    return address.lower() if "@" in address else None


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
