"""One RFC 5322 message from an `OutboundMessage`, shared by every email channel (the local file sink and
SMTP), so what the tests read from the sink is byte for byte what a relay receives.

The Message-ID is derived from the idempotency key, not random: a retry after a crash carries the same id
(the relay or the recipient can recognise the repeat), and replies and bounces quote it (In-Reply-To,
References, a DSN's original Message-ID), so inbound mail is matched to the interaction that sent it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from arrears.channels.base import OutboundMessage

#: Long header values stay one plain line (RFC 5322 allows 998 characters): folding a link with no space in
#: it makes Python encode it as RFC 2047 words, which no mail client reads as a List-Unsubscribe URL.
HEADERS_UNFOLDED = policy.default.clone(max_line_length=998)

#: The header carrying our idempotency key, so a person (or a relay's log) can tie a message to its action.
KEY_HEADER = "X-Arrears-Idempotency-Key"

_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


class EmailAddressError(ValueError):
    """A configured sender address that is not an address (names the setting in its message)."""


def address_domain(address: str) -> str:
    """The domain of `address` (`Name <local@domain>` or `local@domain`); refuses anything without one."""
    bare = parseaddr(address)[1]
    local, at, domain = bare.rpartition("@")
    if not at or not local or not domain or "." not in domain.strip("."):
        raise EmailAddressError(f"not an email address with a domain: {address!r}")
    return domain.lower()


#: The longest id the store keeps as a provider id (interactions.provider_id is 128 characters).
MAX_MESSAGE_ID = 128


def message_id(idempotency_key: str, domain: str) -> str:
    """`<key@domain>`: the same key always gives the same id; a key that is not a dot-atom, or that would
    make the id too long to store, is replaced by its digest."""
    local = idempotency_key
    if not _DOT_ATOM.match(local) or len(local) + len(domain) + 3 > MAX_MESSAGE_ID:
        local = _digest(idempotency_key)[: max(16, MAX_MESSAGE_ID - len(domain) - 3)]
    return f"<{local}@{domain}>"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def sender(address: str, name: str | None) -> str:
    """`address` under the business's name when the message says who it is from."""
    if not name:
        return address
    return formataddr((name, parseaddr(address)[1]))


def sent_at(message: OutboundMessage) -> datetime:
    """The send's time as the engine's clock saw it (the simulated time in the demo), else now."""
    return (message.sent_at or datetime.now(UTC)).astimezone(UTC)


def build_email(message: OutboundMessage, from_address: str) -> EmailMessage:
    """multipart/alternative (text, then HTML when there is one) with our headers, then the message's own
    (List-Unsubscribe, List-Unsubscribe-Post and any a compliance profile adds)."""
    mail = EmailMessage(policy=HEADERS_UNFOLDED)
    mail["From"] = sender(from_address, message.sender_name)
    mail["To"] = message.destination
    mail["Subject"] = message.subject or "Your account"
    mail["Date"] = format_datetime(sent_at(message))
    mail["Message-ID"] = message_id(message.idempotency_key, address_domain(from_address))
    mail[KEY_HEADER] = message.idempotency_key
    for name, value in message.headers.items():
        del mail[name]  # a header given twice would be sent twice
        mail[name] = value
    mail.set_content(message.body)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
        # Not random either: a retry of the key is the same message byte for byte.
        mail.set_boundary(f"=_arrears_{_digest(message.idempotency_key)[:24]}")
    return mail
