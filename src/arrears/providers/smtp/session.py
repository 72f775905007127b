"""One authenticated SMTP session, opened the same way by the channel and by `arrears providers check`.

smtplib's timeout applies to the connect and to every command after it (the socket keeps it, TLS
included), so a relay that stops answering costs one timeout, never a hung worker.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from arrears.channels.email_mime import EmailAddressError, address_domain

Security = Literal["starttls", "tls", "none"]

#: The port each security mode is usually served on (RFC 8314: 465 implicit TLS, 587 submission).
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}


class SmtpConfigError(ValueError):
    """A setting that cannot work; the message names the ARREARS_SMTP_* setting."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    from_address: str  # `Name <collections@acme.example>` or a bare address; the business name replaces Name
    port: int | None = None  # None: the usual port for `security`
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0
    ca_file: Path | None = None  # a private CA (a relay inside the company, the local fake); None: system CAs

    def __post_init__(self) -> None:
        try:
            address_domain(self.from_address)
        except EmailAddressError as exc:
            raise SmtpConfigError(f"ARREARS_SMTP_FROM_ADDRESS: {exc}") from exc
        if self.security not in DEFAULT_PORTS:
            raise SmtpConfigError(f"ARREARS_SMTP_SECURITY must be starttls, tls or none: {self.security!r}")
        if (self.username is None) != (self.password is None):
            raise SmtpConfigError(
                "ARREARS_SMTP_USERNAME and ARREARS_SMTP_PASSWORD are set together or not at all"
            )
        if self.timeout_seconds <= 0:
            raise SmtpConfigError("ARREARS_SMTP_TIMEOUT_SECONDS must be above 0")

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]

    def tls_context(self) -> ssl.SSLContext:
        """Certificate and host name verified; a private CA file trusted when configured."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def open_session(config: SmtpConfig) -> smtplib.SMTP:
    """Connected, greeted, encrypted as configured and authenticated; the caller QUITs it.

    Raises smtplib/ssl/OSError exceptions as they come: the channel and the check each explain them."""
    port = config.effective_port
    smtp: smtplib.SMTP
    if config.security == "tls":
        smtp = smtplib.SMTP_SSL(
            config.host, port, timeout=config.timeout_seconds, context=config.tls_context()
        )
    else:
        smtp = smtplib.SMTP(config.host, port, timeout=config.timeout_seconds)
    try:
        # Each command waits for its reply, so nothing is gained by Nagle's batching and a delayed ACK
        # can hold a command back by tens of milliseconds.
        if smtp.sock is not None:
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo()
        if config.security == "starttls":
            smtp.starttls(context=config.tls_context())
            smtp.ehlo()  # capabilities change once encrypted (AUTH is often offered only now)
        if config.username is not None and config.password is not None:
            smtp.login(config.username, config.password)
    except BaseException:
        close(smtp)
        raise
    return smtp


def close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a session that already broke is just closed."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class SessionPool:
    """Idle sessions kept for the next send, so a batch pays the TLS handshake and AUTH once, not per
    message. A kept session is probed with NOOP before reuse (a relay closes idle connections) and one
    unused for `max_idle_seconds` is closed; a session that saw any error is never kept. Thread-safe: each
    concurrent send takes its own session."""

    def __init__(self, config: SmtpConfig, *, max_idle_seconds: float = 30.0, max_kept: int = 16) -> None:
        self.config = config
        self.max_idle_seconds = max_idle_seconds
        self.max_kept = max_kept
        self._idle: list[tuple[float, smtplib.SMTP]] = []
        self._lock = threading.Lock()

    def take(self) -> smtplib.SMTP:
        """A live kept session, else a new one (which raises as `open_session` does)."""
        while (kept := self._pop()) is not None:
            try:
                if kept.noop()[0] == 250:
                    return kept
            except (smtplib.SMTPException, OSError):
                pass
            kept.close()
        return open_session(self.config)

    def give_back(self, smtp: smtplib.SMTP) -> None:
        with self._lock:
            if len(self._idle) < self.max_kept:
                self._idle.append((time.monotonic(), smtp))
                return
        close(smtp)

    def _pop(self) -> smtplib.SMTP | None:
        now = time.monotonic()
        with self._lock:
            stale = [s for at, s in self._idle if now - at > self.max_idle_seconds]
            self._idle = [(at, s) for at, s in self._idle if now - at <= self.max_idle_seconds]
            kept = self._idle.pop()[1] if self._idle else None
        for smtp in stale:
            close(smtp)
        return kept
