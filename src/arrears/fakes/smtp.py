"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it accepts.

It speaks SMTP as a relay does: STARTTLS or implicit TLS with a self-signed certificate made at start (by
the `openssl` command; its file is handed to the product as ARREARS_SMTP_CA_FILE), AUTH PLAIN/LOGIN when a
username is given, and the reply codes a relay sends for a recipient it cannot take now (451) or ever
(550), so the tests and `arrears demo --providers local-fakes` exercise the same paths production does.
"""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from arrears.fakes import RunningFake

Security = Literal["starttls", "tls", "none"]

#: What a relay answers for a recipient it refuses, by code.
REPLIES = {
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Temporary local problem, try again later",
    452: "452 4.2.2 Mailbox full",
    550: "550 5.1.1 {address}: Recipient address rejected: mailbox unavailable",
    553: "553 5.1.3 {address}: Recipient address not accepted",
}


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes  # the message exactly as it arrived (CRLF line ends, dot-unstuffed)
    connection: str  # the client's host:port: messages sent over one session share it


@dataclass
class SmtpFake(RunningFake):
    received: list[Received] = field(default_factory=list)
    #: recipient (lower case) -> reply code; the fake answers RCPT TO for it with that code.
    refusals: dict[str, int] = field(default_factory=dict)
    cert_file: Path | None = None

    def refuse(self, address: str, code: int) -> None:
        if code not in REPLIES:
            raise ValueError(f"code must be one of {sorted(REPLIES)}, not {code}")
        self.refusals[address.lower()] = code

    def accept(self, address: str) -> None:
        self.refusals.pop(address.lower(), None)


class _Handler:
    def __init__(self, fake: SmtpFake) -> None:
        self.fake = fake

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        code = self.fake.refusals.get(address.lower())
        if code is not None:
            return REPLIES[code].format(address=f"<{address}>")
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        peer = session.peer if isinstance(session.peer, tuple) else (str(session.peer), "")
        connection = f"{peer[0]}:{peer[1]}"
        self.fake.received.append(
            Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, connection)
        )
        return f"250 2.0.0 Ok: queued as {len(self.fake.received)}"


def _authenticator(username: str, password: str) -> Any:
    def check(
        server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            username.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return check


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day."""
    if shutil.which("openssl") is None:
        raise RuntimeError("the SMTP fake's TLS needs the openssl command")
    cert, key = folder / "smtp-fake.crt", folder / "smtp-fake.key"
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    command += ["-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    *,
    security: Security = "none",
    username: str | None = None,
    password: str | None = None,
    from_address: str = "collections@acme.example",
    idle_timeout: float = 300.0,
) -> SmtpFake:
    """Serving when it returns; `env` points the product at it; `stop()` ends it and removes the cert."""
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd logs envelopes (addresses) at INFO
    warnings.filterwarnings("ignore", module="aiosmtpd")  # AUTH without TLS: wanted here, for `none`
    folder = Path(tempfile.mkdtemp(prefix="arrears-smtp-fake-"))
    port = _free_port()
    fake = SmtpFake(name="smtp", url=f"smtp://127.0.0.1:{port}")
    context: ssl.SSLContext | None = None
    if security != "none":
        cert, key = _certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        fake.cert_file = cert
    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": port, "server_hostname": "smtp.fake"}
    options["timeout"] = idle_timeout  # like a relay, it closes a connection idle this long
    if security == "tls":
        options["ssl_context"] = context
    elif security == "starttls":
        options |= {"tls_context": context, "require_starttls": True}
    if username is not None:
        options |= {
            "authenticator": _authenticator(username, password or ""),
            "auth_required": True,
            "auth_require_tls": security == "starttls",  # implicit TLS is encrypted from the first byte
        }
    controller = Controller(_Handler(fake), **options)
    controller.start()

    def stop() -> None:
        if controller.loop.is_running():  # stopping twice is harmless (a test stops it to see it down)
            controller.stop()
        shutil.rmtree(folder, ignore_errors=True)

    fake.stop = stop
    fake.env = _env(port, security, from_address, fake.cert_file, username, password)
    return fake


def _env(
    port: int, security: Security, sender: str, cert: Path | None, user: str | None, password: str | None
) -> dict[str, str]:
    env = {
        "ARREARS_SMTP_HOST": "127.0.0.1",
        "ARREARS_SMTP_PORT": str(port),
        "ARREARS_SMTP_SECURITY": security,
        "ARREARS_SMTP_FROM_ADDRESS": sender,
        "ARREARS_SMTP_TIMEOUT_SECONDS": "5",
    }
    if cert is not None:
        env["ARREARS_SMTP_CA_FILE"] = str(cert)
    if user is not None:
        env |= {"ARREARS_SMTP_USERNAME": user, "ARREARS_SMTP_PASSWORD": password or ""}
    return env
