"""Twilio: voice calls, SMS and WhatsApp out (when an account and a number are configured), and its
webhooks in (whenever the auth token is set): docs/providers/twilio.md."""

from __future__ import annotations

from functools import partial

from arrears.channels.base import Channel
from arrears.providers.base import Offer, Parts
from arrears.providers.twilio.channels import TwilioMessaging, TwilioVoice
from arrears.providers.twilio.checks import checks
from arrears.providers.twilio.client import TwilioConfig, make_client, signature_valid
from arrears.providers.twilio.handlers import handlers
from arrears.providers.twilio.history import last_inbound_whatsapp, recall_send
from arrears.providers.twilio.webhooks import routes
from arrears.providers.twilio.whatsapp import load_templates


def offer(config: TwilioConfig, parts: Parts) -> Offer:
    """Raises `whatsapp.TemplatesError` (naming the field) when the WhatsApp templates file is wrong."""
    channels: dict[str, Channel] = {}
    if config.sends and config.from_number:
        client = make_client(config)
        recall = recall_send(parts.sessions)
        channels["sms"] = TwilioMessaging(
            client, "sms", config.from_number, config.public_base_url, recall=recall
        )
        if config.whatsapp_from:
            templates = load_templates(config.whatsapp_templates) if config.whatsapp_templates else {}
            channels["whatsapp"] = TwilioMessaging(
                client,
                "whatsapp",
                config.whatsapp_from,
                config.public_base_url,
                recall=recall,
                last_inbound=last_inbound_whatsapp(parts.sessions),
                templates=templates,
            )
        if config.public_base_url:  # a call needs webhooks Twilio can reach
            channels["voice"] = TwilioVoice(client, config.from_number, config.public_base_url, recall)
    return Offer(
        "twilio",
        channels=channels,
        handlers=handlers(parts.conversations, parts.words),
        routes=partial(routes, config),
        checks=checks(config) if config.sends else (),
    )


__all__ = ["TwilioConfig", "make_client", "offer", "signature_valid"]
