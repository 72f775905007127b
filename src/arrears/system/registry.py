"""The provider registry: which providers this deployment runs, each given its typed settings.

A provider is a package under `arrears.providers` (client, channels, webhook routes, typed settings); this
is the one place that reads their settings and asks what they offer. Local sinks come first, so any
provider that sends on a channel replaces the sink for it.
"""

from __future__ import annotations

from arrears.providers import local, openai, twilio
from arrears.providers.base import Offer, Parts
from arrears.providers.local import LocalConfig
from arrears.providers.openai import LLMConfig
from arrears.providers.twilio import TwilioConfig
from arrears.settings import Settings


def understanding_offer(settings: Settings) -> Offer | None:
    """The LLM backend when ARREARS_LLM_URL and ARREARS_LLM_MODEL are set."""
    if not settings.llm_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return openai.offer(LLMConfig(settings.llm_url, settings.llm_model, key, settings.llm_timeout_seconds))


def twilio_config(settings: Settings) -> TwilioConfig | None:
    """Twilio when its auth token is set (webhooks); it sends too once an account and a number are set."""
    if settings.twilio_auth_token is None:
        return None
    return TwilioConfig(
        account_sid=settings.twilio_account_sid or "",
        auth_token=settings.twilio_auth_token.get_secret_value(),
        from_number=settings.twilio_from_number,
        whatsapp_from=settings.twilio_whatsapp_from,
        public_base_url=settings.public_base_url.rstrip("/") if settings.public_base_url else None,
        api_base_url=settings.twilio_api_base_url,
    )


def channel_offers(settings: Settings, parts: Parts) -> list[Offer]:
    offers = [local.offer(LocalConfig(outbox_dir=settings.outbox_dir))]
    config = twilio_config(settings)
    if config is not None:
        offers.append(twilio.offer(config, parts))
    return offers
