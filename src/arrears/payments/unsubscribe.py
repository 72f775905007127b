"""RFC 8058 one-click unsubscribe: the signed URL an e-mail's List-Unsubscribe header carries, and the inbox
handler that turns its POST into an opt-out of that e-mail's destination.

The URL names the outbox action's idempotency key (signed, no expiry); the opt-out is looked up from the
action (customer, channel, destination), so the URL itself reveals nothing about the customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.cases.opt_outs import record_opt_out
from arrears.inbox import Handler, NotFound
from arrears.payments.secret import LinkSecret
from arrears.payments.tokens import read_unsubscribe_token, unsubscribe_token
from arrears.store.models import InboxEvent, OptOut, OutboxAction

#: The inbox kind of a one-click unsubscribe; its identity is (SOURCE, the outbox key): one per e-mail.
KIND = "email.unsubscribe"
SOURCE = "list-unsubscribe"


class SignedUnsubscribeLinks:
    """`UnsubscribeLinks`: `{base}/u/{token}` for an outbox action's key."""

    def __init__(self, base_url: str, secret: LinkSecret) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def url_for(self, idempotency_key: str) -> str:
        return f"{self.base_url}/u/{unsubscribe_token(self.secret.key(), idempotency_key)}"

    def key_of(self, token: str) -> str:
        """The outbox key a token names; `TokenInvalid` when it was not signed here."""
        return read_unsubscribe_token(self.secret.key(), token)


def unsubscribe_handlers() -> dict[str, Handler]:
    return {KIND: apply_unsubscribe}


def apply_unsubscribe(session: Session, event: InboxEvent, now: datetime) -> Mapping[str, Any]:
    """Opt the e-mail's destination out of its channel; an opt-out already recorded for it is kept."""
    key = str(event.payload.get("idempotency_key", ""))
    action = session.execute(
        select(OutboxAction.customer_id, OutboxAction.channel, OutboxAction.destination).where(
            OutboxAction.idempotency_key == key
        )
    ).first()
    if action is None:
        raise NotFound("idempotency_key", "no message was sent under this key")
    source = f"{SOURCE}:{key}"[:128]
    known = session.scalar(select(OptOut.id).where(OptOut.source == source).limit(1))
    if known is None:
        record_opt_out(
            session,
            [action.customer_id],
            channel=action.channel,
            destination=action.destination,
            reason="opt_out",
            source=source,
            now=now,
        )
    return {"channel": action.channel, "recorded": known is None}
