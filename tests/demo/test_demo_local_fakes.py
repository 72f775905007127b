"""`arrears demo --providers local-fakes`: the product runs against every vendor's local fake, over real
sockets and the official SDKs, and each vendor receives what the product says it sent, once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.demo.run import DemoOptions, run_demo
from arrears.settings import Settings
from arrears.store.models import InboxEvent, Interaction, Payment, PaymentLink, WritebackDelivery


def test_the_demo_works_every_provider_through_its_fake(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, outbox_dir=tmp_path / "out")
    received: dict[str, int] = {}
    kpis = run_demo(
        settings,
        DemoOptions(accounts=30, days=4, seed=5, providers="local-fakes"),
        providers_report=received.update,
    )
    assert kpis.attempted > 0
    with sessions() as session:
        emails = session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.channel == "email", Interaction.status == "sent")
        )
        texts = session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.channel.in_(("sms", "whatsapp")), Interaction.status == "sent")
        )
        stripe_paid = session.scalar(
            select(func.count())
            .select_from(PaymentLink)
            .where(PaymentLink.provider == "stripe", PaymentLink.paid_at.is_not(None))
        )
        payments = session.scalar(select(func.count()).select_from(Payment)) or 0
        failed = session.scalars(select(InboxEvent.error).where(InboxEvent.status == "failed")).all()
        kinds = set(session.scalars(select(InboxEvent.kind)))
        dead = session.scalars(
            select(WritebackDelivery.last_error).where(WritebackDelivery.status == "dead")
        ).all()
    # Every e-mail and text the product recorded reached the vendor once; nothing went to the local sinks.
    assert received["smtp_messages"] == emails and emails > 0
    assert received["twilio_messages"] == texts and texts > 0
    assert not list((tmp_path / "out").glob("**/*.eml"))
    # Links were Stripe's, and customers who paid by card paid through Stripe's signed events.
    assert received["stripe_payment_links"] + received["stripe_checkout_sessions"] > 0
    assert stripe_paid and stripe_paid > 0 and payments >= stripe_paid
    assert "stripe.event" in kinds
    assert failed == []
    # Write-back: every signed webhook verified by the receiver, the CRMs written, nothing dead.
    assert received["webhooks_verified"] > 0 and received["webhooks_rejected"] == 0
    assert received["hubspot_notes"] > 0 and received["salesforce_tasks"] > 0
    assert dead == []
