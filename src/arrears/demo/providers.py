"""`arrears demo --providers local-fakes`: the demo with every provider pointed at a local fake that speaks
the vendor's wire format, so a newcomer watches a real SMTP conversation (STARTTLS, AUTH), Twilio texts
through the official SDK, Stripe Checkout Sessions paid with Stripe's signed events, customers' e-mail
replies posted as Mailgun signs them, and write-back to HubSpot, Salesforce, a Standard Webhooks receiver
and Slack, all without an account anywhere.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from arrears.fakes import RunningFake, hubspot, salesforce, slack, smtp, stripe, twilio, webhooks
from arrears.fakes.stripe import FakeStripe, fake_at
from arrears.settings import Settings

#: The demo's mail server credentials (the fake accepts exactly these).
SMTP_USER, SMTP_PASSWORD = "demo-mailer", "demo-mail-password"
DEMO_FROM = "collections@demo.arrears.local"


@dataclass
class LocalFakes:
    smtp: smtp.SmtpFake
    twilio: twilio.FakeTwilio
    stripe: RunningFake
    hubspot: hubspot.HubSpotFake
    salesforce: salesforce.SalesforceFake
    webhooks: webhooks.WebhookReceiver
    slack: slack.SlackHook
    mailgun_signing_key: str
    folder: tempfile.TemporaryDirectory[str]
    running: list[RunningFake] = field(default_factory=list)

    @property
    def stripe_state(self) -> FakeStripe:
        return fake_at(self.stripe.url)

    def env(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for fake in self.running:
            merged.update(fake.env)
        merged["ARREARS_MAILGUN_SIGNING_KEY"] = self.mailgun_signing_key
        merged["ARREARS_SMTP_FROM_ADDRESS"] = DEMO_FROM
        return merged

    def settings(self, base: Settings) -> Settings:
        """`base` with every provider setting pointed at its fake (names as the environment spells them)."""
        fields = {name.removeprefix("ARREARS_").lower(): value for name, value in self.env().items()}
        return Settings.model_validate({**base.model_dump(), **fields})

    def figures(self) -> dict[str, int]:
        """What each fake received: the demo prints it beside the KPIs."""
        state = self.stripe_state
        return {
            "smtp_messages": len(self.smtp.received),
            "twilio_messages": len(self.twilio.creates("Messages")),
            "stripe_checkout_sessions": len(state.creations("/v1/checkout/sessions")),
            "stripe_payment_links": len(state.creations("/v1/payment_links")),
            "hubspot_notes": len(self.hubspot.state.objects.get("notes", {})),
            "hubspot_tasks": len(self.hubspot.state.objects.get("tasks", {})),
            "salesforce_tasks": len(self.salesforce.state.records.get("Task", {})),
            "webhooks_verified": len(self.webhooks.deliveries),
            "webhooks_rejected": self.webhooks.rejected,
            "slack_alerts": len(self.slack.messages),
        }

    def seed_crm(self, customers: list[tuple[str, str]]) -> None:
        """The CRMs already know the portfolio's customers, as a team's CRM would: a HubSpot company and a
        Salesforce Account per (external id, name), which the write-back finds by that id."""
        for external_id, name in customers:
            self.hubspot.state.add_record("companies", arrears_customer_id=external_id, name=name)
            self.salesforce.state.add_account(external_id, name)

    def stop(self) -> None:
        for fake in reversed(self.running):
            fake.stop()
        self.folder.cleanup()


def start_local_fakes(now: Callable[[], float]) -> LocalFakes:
    """Start every fake (each serving when this returns); `now` is the demo's simulated clock in Unix
    seconds, so Stripe's events carry the simulated time the webhook's tolerance window is checked
    against."""
    folder = tempfile.TemporaryDirectory(prefix="arrears-demo-fakes-")
    started: list[RunningFake] = []
    try:
        mail = smtp.start(
            security="starttls", username=SMTP_USER, password=SMTP_PASSWORD, from_address=DEMO_FROM
        )
        started.append(mail)
        texts, server = twilio.serve()
        texts.now = lambda: datetime.fromtimestamp(now(), UTC)
        started.append(server)
        pay = stripe.start(now=now)
        started.append(pay)
        crm = hubspot.start()
        started.append(crm)
        org = salesforce.start()
        started.append(org)
        receiver = webhooks.start(config_dir=Path(folder.name))
        started.append(receiver)
        alerts = slack.start()
        started.append(alerts)
    except Exception:
        for fake in reversed(started):
            fake.stop()
        folder.cleanup()
        raise
    return LocalFakes(
        mail,
        texts,
        pay,
        crm,
        org,
        receiver,
        alerts,
        secrets.token_hex(16),
        folder,
        started,
    )
