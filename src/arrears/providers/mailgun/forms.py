"""Mailgun's POST bodies read without a form library: application/x-www-form-urlencoded, or
multipart/form-data (which Mailgun sends when the e-mail has attachments) read with the standard
library's MIME parser, the format multipart/form-data is defined in (RFC 7578)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from urllib.parse import parse_qsl


class FormError(ValueError):
    """The body is not a form Mailgun sends; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class Upload:
    name: str  # the form field: attachment-1, ...
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Form:
    fields: dict[str, str]
    files: list[Upload] = field(default_factory=list)


def read_form(content_type: str, body: bytes) -> Form:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        return Form(dict(parse_qsl(text, keep_blank_values=True)))
    if media == "multipart/form-data":
        return _multipart(content_type, body)
    raise FormError("Content-Type must be application/x-www-form-urlencoded or multipart/form-data")


def _multipart(content_type: str, body: bytes) -> Form:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", errors="replace")
    parsed = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not parsed.is_multipart():
        raise FormError("multipart/form-data body without a boundary or parts")
    fields: dict[str, str] = {}
    files: list[Upload] = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        content = _content(part)
        if part.get_filename() is not None:
            files.append(Upload(name, part.get_content_type(), content))
        else:
            fields[name] = content.decode(part.get_content_charset() or "utf-8", errors="replace")
    return Form(fields, files)


def _content(part: Message) -> bytes:
    """A part's bytes; a message/* part (a DSN's report) is parsed by the MIME parser, so re-serialised."""
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return raw
    flat = part.as_bytes(policy=policy.HTTP.clone(linesep="\n"))
    return flat.split(b"\n\n", 1)[1] if b"\n\n" in flat else b""
