"""What reached the simulated people since the last hour: every message and call the product sent them,
with the agent's words for a conversation's reply, read in an order the seed fixes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.conversations.words import CONFIRMATION_TEMPLATE, REPLY_TEMPLATE
from arrears.store.models import Customer, Interaction, OutboxAction


@dataclass(frozen=True)
class Contact:
    interaction_id: str
    customer_id: str
    channel: str
    at: datetime
    case_id: str
    destination: str
    key: str | None  # the outbox action's idempotency key (a call's answer webhook names it)
    reply_text: str | None  # the agent's words, when this is its reply in a conversation


def new_contacts(sessions: sessionmaker[Session], since: datetime, until: datetime) -> list[Contact]:
    with sessions() as session:
        rows = session.execute(
            select(
                Interaction.id,
                Interaction.customer_id,
                Interaction.channel,
                Interaction.occurred_at,
                Interaction.case_id,
                Interaction.destination,
                OutboxAction.idempotency_key,
                OutboxAction.template,
                OutboxAction.payload,
            )
            .outerjoin(OutboxAction, OutboxAction.id == Interaction.outbox_id)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(
                Interaction.direction == "outbound",
                Interaction.status == "sent",
                Interaction.occurred_at > since,
                Interaction.occurred_at <= until,
            )
            # Row ids are random: order by what the seed fixes, so the same seed replays the same story.
            .order_by(
                Interaction.occurred_at, Customer.external_id, OutboxAction.step_id, Interaction.channel
            )
        ).all()
    contacts = []
    for row in rows:
        template, payload = row[7], row[8] or {}
        if template == CONFIRMATION_TEMPLATE:
            continue  # "you're unsubscribed": nothing to answer
        reply = str(payload.get("text", "")) if template == REPLY_TEMPLATE else None
        contacts.append(Contact(row[0], row[1], row[2], row[3], row[4] or "", row[5] or "", row[6], reply))
    return contacts
