"""`arrears providers check` for signed webhooks. Standard Webhooks has no ping, and an unsigned or test
POST would be a message the receiver must handle, so the check stays read-only: the host resolves, the port
accepts a connection, and for https the certificate is valid for the host. Nothing is sent."""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from arrears.providers.checks import CheckResult, ProviderCheck
from arrears.providers.webhooks.config import Endpoint


def reach(url: str, timeout: float) -> str:
    """What was verified; raises OSError (incl. ssl errors) naming what failed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    with socket.create_connection((host, port), timeout=timeout) as raw:
        if parts.scheme != "https":
            return f"{host}:{port} accepts connections (plain http: use https in production)"
        with ssl.create_default_context().wrap_socket(raw, server_hostname=host) as tls:
            return f"{host}:{port} answers with a valid certificate ({tls.version()})"


def endpoint_check(endpoint: Endpoint, timeout: float = 5.0) -> ProviderCheck:
    def check() -> CheckResult:
        provider = f"webhook:{endpoint.name}"
        try:
            detail = reach(endpoint.url, timeout)
        except socket.gaierror:
            return CheckResult(provider, False, "the host does not resolve", "check the url's host name")
        except ssl.SSLError as exc:
            return CheckResult(provider, False, f"TLS failed: {exc.reason}", "fix the endpoint's certificate")
        except OSError as exc:
            fix = "check the url's port and any firewall"
            return CheckResult(provider, False, f"cannot connect: {exc.strerror or exc}", fix)
        return CheckResult(provider, True, detail + "; signatures are not tested (no ping in the spec)")

    return check
