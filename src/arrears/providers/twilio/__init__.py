"""Twilio: voice calls, SMS and WhatsApp out (when an account and a number are configured), and its
webhooks in (whenever the auth token is set): docs/channels.md."""

from __future__ import annotations

from functools import partial

from arrears.channels.base import Channel
from arrears.providers.base import Offer, Parts
from arrears.providers.twilio.channels import TwilioMessaging, TwilioVoice
from arrears.providers.twilio.client import TwilioConfig, make_client, signature_valid
from arrears.providers.twilio.handlers import handlers
from arrears.providers.twilio.webhooks import routes


def offer(config: TwilioConfig, parts: Parts) -> Offer:
    channels: dict[str, Channel] = {}
    if config.sends and config.from_number:
        client = make_client(config)
        channels["sms"] = TwilioMessaging(client, "sms", config.from_number, config.public_base_url)
        if config.whatsapp_from:
            channels["whatsapp"] = TwilioMessaging(
                client, "whatsapp", config.whatsapp_from, config.public_base_url
            )
        if config.public_base_url:  # a call needs webhooks Twilio can reach
            channels["voice"] = TwilioVoice(client, config.from_number, config.public_base_url)
    return Offer(
        "twilio",
        channels=channels,
        handlers=handlers(parts.conversations, parts.words),
        routes=partial(routes, config),
    )


__all__ = ["TwilioConfig", "make_client", "offer", "signature_valid"]
