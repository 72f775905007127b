"""What an inbound e-mail says, read without the database: who wrote it, which of our messages it answers,
whether a machine wrote it, and the customer's new words without the quoted history and the signature.

Pure, so every shape of mail client (Gmail, Outlook, Apple Mail, Exchange auto-replies) is tested on text.
"""

from __future__ import annotations

import html
import re
from email.message import Message
from email.utils import getaddresses, parseaddr

_ID = re.compile(r"<([^<>\s]+)>")
#: Auto-Submitted (RFC 3834) and the headers Exchange, Gmail and common autoresponders add.
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|auto:|out of (the )?office|ooo\b|"
    r"abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[aá]tica)",
    re.IGNORECASE,
)
_ROBOT_SENDERS = ("mailer-daemon@", "postmaster@")
#: Where quoted history starts: "On <date>, <name> wrote:", Outlook's header block, a forwarded banner.
_QUOTE_START = re.compile(
    r"^\s*(on\b.{0,200}\bwrote:\s*$|-{2,}\s*original message\s*-{2,}|_{10,}\s*$|"
    r"from:\s.+$|-{2,}\s*forwarded message\s*-{2,}|"
    r"le\b.{0,200}\ba écrit\s*:\s*$|am\b.{0,200}\bschrieb.{0,80}:\s*$)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(--\s?|sent from my \w+.*|get outlook for \w+.*)$", re.IGNORECASE)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)


def message_ids(value: str | None) -> tuple[str, ...]:
    """The ids in a Message-ID, In-Reply-To or References header, without angle brackets, in order."""
    return tuple(_ID.findall(value or ""))


def answered_ids(message: Message) -> tuple[str, ...]:
    """Which messages this one answers: In-Reply-To first, then References from the newest back."""
    in_reply = message_ids(str(message.get("In-Reply-To", "")))
    references = tuple(reversed(message_ids(str(message.get("References", "")))))
    return tuple(dict.fromkeys(in_reply + references))


def sender_address(message: Message, envelope_sender: str = "") -> str:
    """The author's address (From), else the envelope sender, lower-cased; "" when there is none."""
    found = [addr for _, addr in getaddresses([str(message.get("From", ""))]) if "@" in addr]
    address = found[0] if found else parseaddr(envelope_sender)[1]
    return address.strip().lower() if "@" in address else ""


def is_robot(message: Message, envelope_sender: str = "") -> bool:
    """A bounce without a readable report: the null envelope sender or a mailer daemon wrote it."""
    author = sender_address(message, envelope_sender)
    null_sender = envelope_sender.strip() in ("", "<>")
    return (null_sender and not author) or author.startswith(_ROBOT_SENDERS)


def is_auto_reply(message: Message) -> bool:
    """An out-of-office or other automatic answer: it must never become a customer's turn."""
    submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if submitted and submitted != "no":
        return True
    if any(message.get(name) is not None for name in _AUTO_HEADERS):
        return True
    if str(message.get("X-Auto-Response-Suppress", "")).strip().lower() in ("all", "oof"):
        return bool(_AUTO_SUBJECT.search(str(message.get("Subject", ""))))
    if str(message.get("Precedence", "")).strip().lower() in _AUTO_PRECEDENCE:
        return True
    return bool(_AUTO_SUBJECT.search(str(message.get("Subject", ""))))


def plain_body(message: Message) -> str:
    """The text/plain body, else the HTML body as text; "" for a message without either."""
    for preferred in ("text/plain", "text/html"):
        for part in message.walk():
            if part.get_content_type() != preferred or part.get_filename():
                continue
            if str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
                continue
            raw = part.get_payload(decode=True)
            charset = part.get_content_charset() or "utf-8"
            text = raw.decode(charset, "replace") if isinstance(raw, bytes) else str(part.get_payload())
            return text if preferred == "text/plain" else html_to_text(text)
    return ""


def html_to_text(markup: str) -> str:
    text = _TAGS.sub("", _BREAKS.sub("\n", markup))
    return html.unescape(text)


def new_text(body: str) -> str:
    """The customer's new words: everything above the quoted history, without "> " lines or signature."""
    kept: list[str] = []
    lines = body.replace("\r\n", "\n").split("\n")
    for n, line in enumerate(lines):
        joined = f"{line} {lines[n + 1]}" if n + 1 < len(lines) else line  # "On ... <\naddr> wrote:"
        if _QUOTE_START.match(line) or _QUOTE_START.match(joined) or _SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
