"""What every Twilio webhook shares: the signed form, checked before anything else, and TwiML replies.

The signature is checked against the URL Twilio requested, which behind a proxy is the public one:
``public_base_url`` + path + query. The form is parsed here (x-www-form-urlencoded) rather than by a
multipart library, and a request that fails the check is answered 403 before a session writes anything.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response

from arrears.api.problems import ProblemError
from arrears.conversations.service import ConversationService
from arrears.integrations.twilio import TwilioConfig, signature_valid

_MAX_FORM = 64 * 1024


def twilio_config(request: Request) -> TwilioConfig:
    config: TwilioConfig | None = getattr(request.app.state, "twilio", None)
    if config is None:
        raise ProblemError(404, "not-found", "Not Found", "Twilio is not configured on this server")
    return config


def public_url(request: Request, config: TwilioConfig) -> str:
    if not config.public_base_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{config.public_base_url}{request.url.path}{query}"


async def verified_form(request: Request) -> dict[str, str]:
    config = twilio_config(request)
    body = await request.body()
    if len(body) > _MAX_FORM:
        raise ProblemError(413, "too-large", "Payload Too Large", "a Twilio webhook form is small")
    params = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    if not signature_valid(
        config.auth_token, public_url(request, config), params, request.headers.get("X-Twilio-Signature")
    ):
        raise ProblemError(403, "forbidden", "Forbidden", "X-Twilio-Signature does not match this request")
    return params


def conversation_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.conversations
    return service


TwilioForm = Annotated[dict[str, str], Depends(verified_form)]
TwilioDep = Annotated[TwilioConfig, Depends(twilio_config)]
ConversationsDep = Annotated[ConversationService, Depends(conversation_service)]


def twiml(document: object) -> Response:
    return Response(content=str(document), media_type="application/xml")
