"""Plugs the conversation endpoints into the app: Twilio webhooks (only answered when Twilio is
configured) and the web chat, all sharing one conversation service built from settings."""

from __future__ import annotations

from fastapi import FastAPI

from arrears.api import routes_chat, routes_twilio_messages, routes_twilio_voice
from arrears.integrations.twilio import TwilioConfig
from arrears.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    from arrears.engine.wiring import conversation_service

    app.state.twilio = TwilioConfig.from_settings(settings)
    app.state.conversations = conversation_service(settings)
    app.include_router(routes_twilio_voice.router)
    app.include_router(routes_twilio_messages.router)
    app.include_router(routes_chat.router)
