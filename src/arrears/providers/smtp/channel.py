"""Email over SMTP behind the `Channel` interface.

The message is the one the local sink writes (arrears.channels.email_mime): text and HTML alternatives, the
business's name in From, a Message-ID derived from the idempotency key. The returned provider id is that
Message-ID (angle brackets included): replies and bounces quote it, and inbound mail is matched on it.

What the relay answers decides what the dispatcher does: a 5xx refusal of the recipient or the content
is final (REJECTED, never retried); a 4xx answer, a refused connection, a TLS failure or a timeout is
transient (ChannelError: the dispatcher retries with the strategy's backoff). A refused sender or login is
a configuration problem, not the message's, so it is transient too: the operator fixes the setting
(`arrears providers check` says how) and the retries then leave.

SMTP cannot be asked whether a message left, so `lookup` returns None: an action interrupted mid-send is
left to the strategy's `on_unknown` (review by a person) rather than sent twice. A retry that does go out
carries the same Message-ID, so the recipient's mail client and the relay can recognise the repeat.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from email.utils import parseaddr

from arrears.channels.base import ChannelError, DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.channels.email_mime import build_email
from arrears.providers.smtp.session import SessionPool, SmtpConfig, close

PROVIDER = "smtp"
log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>]+>?")


def reply_text(code: int, reply: bytes | str) -> str:
    """`smtp 550 5.1.1 mailbox unavailable`: the relay's answer with every address taken out."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = " ".join(_ADDRESS.sub("<address>", text).split())
    return f"smtp {code} {text}"[:300]


class SmtpEmail:
    """Sends each message in a session taken from a small pool: a batch reuses its TLS session and login,
    and a session that saw any error is closed, so a broken one never spoils the next send."""

    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.sessions = SessionPool(config)

    def send(self, message: OutboundMessage) -> DeliveryResult:
        mail = build_email(message, self.config.from_address)
        envelope_from = mail_from(self.config.from_address)
        try:
            smtp = self.sessions.take()
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise ChannelError(_transient(exc)) from exc
        try:
            smtp.send_message(mail, from_addr=envelope_from, to_addrs=[message.destination])
        except smtplib.SMTPRecipientsRefused as exc:
            close(smtp)
            code, reply = next(iter(exc.recipients.values()))
            return self._refused(code, reply)
        except smtplib.SMTPDataError as exc:
            close(smtp)
            return self._refused(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            close(smtp)
            raise ChannelError(_transient(exc)) from exc
        self.sessions.give_back(smtp)
        log.info("smtp accepted", extra={"idempotency_key": message.idempotency_key})
        return DeliveryResult(DeliveryStatus.SENT, PROVIDER, str(mail["Message-ID"]))

    def _refused(self, code: int, reply: bytes | str) -> DeliveryResult:
        """5xx: refused for good; 4xx: try again later."""
        error = reply_text(code, reply)
        if 500 <= code < 600:
            log.warning("smtp rejected", extra={"smtp_code": code})
            return DeliveryResult(DeliveryStatus.REJECTED, PROVIDER, error=error)
        raise ChannelError(error)

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        del idempotency_key
        return None


def mail_from(from_address: str) -> str:
    """The envelope sender (where bounces go): the bare address of the configured From."""
    return parseaddr(from_address)[1]


def _transient(exc: BaseException) -> str:
    """A failure worth retrying, in words that carry no address."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        # smtplib reports a read timeout as SMTPServerDisconnected("... closed: timed out")
        return "smtp timeout: the relay did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "smtp connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"smtp tls failure: {exc.reason or type(exc).__name__}"
    return f"smtp unavailable: {type(exc).__name__}"
