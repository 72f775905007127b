"""`arrears providers check` for SMTP: connect, EHLO, STARTTLS or TLS, AUTH, QUIT; nothing is sent.

Each failure is explained in the terms an operator meets it in (wrong port for the security mode, an app
password Gmail wants, SMTP AUTH switched off in Microsoft 365) with the setting to change.
"""

from __future__ import annotations

import smtplib
import ssl

from arrears.providers.checks import CheckResult
from arrears.providers.smtp.session import SmtpConfig, close, open_session

PROVIDER = "smtp"


def check(config: SmtpConfig) -> CheckResult:
    """Never raises: every failure becomes a CheckResult saying what to change."""
    where = f"{config.host}:{config.effective_port} ({config.security})"
    try:
        smtp = open_session(config)
    except Exception as exc:
        detail, fix = explain(config, exc)
        return CheckResult(PROVIDER, False, f"{where}: {detail}", fix)
    try:
        smtp.noop()
    except (smtplib.SMTPException, OSError) as exc:
        return CheckResult(PROVIDER, False, f"{where}: {type(exc).__name__} after login", None)
    finally:
        close(smtp)
    who = f"authenticated as {config.username}" if config.username else "no authentication configured"
    return CheckResult(PROVIDER, True, f"{where}: connected, encryption as configured, {who}")


def explain(config: SmtpConfig, exc: BaseException) -> tuple[str, str]:
    """What went wrong and how to fix it."""
    port = config.effective_port
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"the server refused the username or password ({exc.smtp_code})",
            "check ARREARS_SMTP_USERNAME and ARREARS_SMTP_PASSWORD; Gmail needs an app password, Microsoft "
            "365 needs SMTP AUTH enabled for the mailbox, SES needs its SMTP credentials (not IAM keys)",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"the server does not offer what was asked: {exc}",
            "STARTTLS missing: try ARREARS_SMTP_SECURITY=tls on port 465; AUTH missing: the server may "
            "offer it only over TLS, or unset ARREARS_SMTP_USERNAME/PASSWORD for a relay that needs none",
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"the server's certificate is not trusted: {exc.verify_message}",
            "use the host name the certificate names, or point ARREARS_SMTP_CA_FILE at your relay's CA",
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"TLS failed: {exc.reason or exc}",
            f"port {port} may speak STARTTLS, not implicit TLS: set ARREARS_SMTP_SECURITY=starttls "
            "(587) or use port 465 with tls",
        )
    if isinstance(exc, ConnectionRefusedError):
        return ("connection refused", "check ARREARS_SMTP_HOST and ARREARS_SMTP_PORT; is the relay running?")
    if isinstance(exc, TimeoutError | smtplib.SMTPServerDisconnected):
        mismatch = config.security != "tls" and port == 465
        fix = (
            "port 465 is implicit TLS: set ARREARS_SMTP_SECURITY=tls"
            if mismatch
            else "a firewall may block the port (many clouds block 25: use 587 with starttls), or "
            "raise ARREARS_SMTP_TIMEOUT_SECONDS"
        )
        return (f"no SMTP greeting within {config.timeout_seconds:g} s ({type(exc).__name__})", fix)
    if isinstance(exc, smtplib.SMTPResponseException):
        return (f"the server answered {exc.smtp_code}", "see the relay's documentation for that code")
    return (f"{type(exc).__name__}: {exc}", "check ARREARS_SMTP_HOST, ARREARS_SMTP_PORT and the network")
