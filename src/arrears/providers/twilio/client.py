"""The Twilio edge: its typed settings, a REST client, and webhook signature checks.

The API host can be replaced (``twilio_api_base_url``) through the SDK's documented seam, a custom HTTP
client: that is how tests point the official SDK at a local fake over real sockets, and how a deployment
routes through an egress proxy. The SDK's own request logger is quietened to warnings: its INFO lines
carry URLs and headers, and nothing about a customer belongs in our logs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

TWILIO_API = "https://api.twilio.com"
_SDK_LOG = logging.getLogger("arrears.providers.twilio.client.sdk")
_SDK_LOG.setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class TwilioConfig:
    """Filled by the composition root from ARREARS_TWILIO_* and ARREARS_PUBLIC_BASE_URL. With only the auth
    token set, Twilio's webhooks are verified and answered while messages go out through other channels."""

    account_sid: str
    auth_token: str
    from_number: str | None
    whatsapp_from: str | None
    public_base_url: str | None
    api_base_url: str | None = None
    whatsapp_templates: Path | None = None  # approved templates for outside the 24-hour window

    @property
    def sends(self) -> bool:
        """Whether calls and texts go out through Twilio (else only its webhooks are answered)."""
        return bool(self.account_sid and self.from_number)


class _HostRewritingClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's custom-HTTP-client seam: the same requests, sent to another host."""

    def __init__(self, base_url: str | None, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=_SDK_LOG)
        self.base_url = base_url.rstrip("/") if base_url else None

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, object] | None = None,
        data: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self.base_url and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


def make_client(config: TwilioConfig, *, timeout: float = 10.0) -> Client:
    """A REST client; sends must finish well inside the dispatcher's lease, hence the short timeout."""
    http = _HostRewritingClient(config.api_base_url, timeout)
    return Client(config.account_sid, config.auth_token, http_client=http)


def signature_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """Does X-Twilio-Signature match this URL and form? A missing signature never does."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))
