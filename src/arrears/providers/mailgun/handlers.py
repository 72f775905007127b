"""What a stored Mailgun inbound e-mail means, applied from the inbox: a bounce or the customer's words,
through the vendor-neutral `arrears.conversations.email_inbound`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from arrears.conversations.email_inbound import InboundEmail, apply_inbound
from arrears.conversations.words import WordsService
from arrears.inbox import Handler, PermanentError
from arrears.providers.mailgun.messages import to_message
from arrears.providers.mailgun.webhooks import KIND
from arrears.store.models import InboxEvent

PROVIDER = "mailgun"


def handlers(words: WordsService) -> dict[str, Handler]:
    def inbound(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
        payload = dict(event.payload)
        try:
            message = to_message(payload)
        except ValueError as exc:
            raise PermanentError("message-headers", str(exc)) from exc
        stripped = payload.get("stripped-text") if payload.get("route") == "parsed" else None
        email = InboundEmail(
            provider=PROVIDER,
            message=message,
            message_id=event.external_id,  # its Message-ID (a digest when longer than ids are kept)
            recipient=str(payload.get("recipient", "")).split(",", 1)[0].strip(),
            envelope_sender=str(payload.get("sender", "")),
            stripped_text=str(stripped) if stripped is not None else None,
        )
        return apply_inbound(session, words, email, now)

    return {KIND: inbound}
