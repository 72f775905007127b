"""Settings from the environment (prefix ARREARS_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from arrears.core.faults import FaultPlan


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARREARS_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///arrears.db",
        description="SQLAlchemy URL; sqlite:///file.db (default) or postgresql+psycopg://user@host/db",
    )
    database_idle_transaction_seconds: int = Field(
        default=60,
        ge=1,
        description="PostgreSQL ends a session idle this long inside a transaction (a paused or stalled "
        "process), so its row locks cannot hold up the other workers",
    )
    outbox_dir: Path = Field(default=Path("var/outbox"), description="where the local channel sinks write")
    strategies_dir: Path | None = Field(default=None, description="extra strategy YAML files")
    default_strategy: str = "consumer-overdue"
    lease_seconds: int = Field(default=60, ge=5, description="how long a dispatcher owns a claimed action")
    send_margin_seconds: float | None = Field(
        default=None,
        gt=0,
        description="lease a send must have left to start without renewing it (default: half the lease); "
        "raise it for a provider that is often slow",
    )
    batch_size: int = Field(default=500, ge=1, le=50_000)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    gate: Literal["profiles", "minimal"] = Field(
        default="profiles", description="profiles: the full rule set; minimal: 08-21 local and opt-outs only"
    )
    collector_kind: Literal["creditor", "third_party"] = Field(
        default="creditor", description="creditor collecting its own debts, or a third-party debt collector"
    )
    tenant_file: Path | None = Field(default=None, description="tenant profile: stricter settings, overlays")
    profiles_dir: Path | None = Field(default=None, description="extra compliance profile YAML files")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="largest request body the API reads; larger ones get 413"
    )
    log_level: str = "INFO"
    log_json: bool = False
    clock_start: AwareDatetime | None = Field(
        default=None,
        description="rehearsals and the reliability suite only: the clock starts at this instant and runs at "
        "real speed (a portfolio can be worked at a chosen hour); unset: the system clock",
    )
    clock_anchor: AwareDatetime | None = Field(
        default=None,
        description="with ARREARS_CLOCK_START: the wall-clock instant at which the clock reads it, so "
        "processes started at different times share one timeline; unset: the moment the process starts",
    )
    fault_at: str | None = Field(
        default=None,
        description="the reliability suite only: point:nth[:kill|stop], the process kills or pauses itself "
        "the nth time it reaches that crash point (arrears.core.faults); needs ARREARS_FAULT_MARKER",
    )
    fault_marker: Path | None = Field(default=None, description="file a fired fault point is recorded in")
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 2.0
    business_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ARREARS_BUSINESS_NAME", "ARREARS_AGENT_BUSINESS_NAME", "business_name", "agent_business_name"
        ),
        description="the name every message is signed with (required to send; ARREARS_AGENT_BUSINESS_NAME "
        "still works)",
    )
    business_address: str | None = Field(
        default=None, description="postal address printed on letters (lines separated by ';' or newlines)"
    )
    business_phone: str | None = Field(
        default=None, description="phone number messages give out (default: ARREARS_AGENT_CALLBACK_NUMBER)"
    )
    agent_callback_number: str = Field(default="", description="number the agent and voicemail give out")
    templates_dir: Path | None = Field(
        default=None, description="templates overriding or adding to the shipped ones (<lang>/<id>.j2)"
    )
    agent_transfer_number: str | None = Field(
        default=None, description="staff line for warm transfers; none: a callback task instead"
    )
    agent_identity_attempts: int = Field(
        default=3, ge=1, description="failed identity answers per customer, on all channels, before lock-out"
    )
    agent_identity_window_hours: int = Field(default=24, ge=1, description="how long a failed answer counts")
    twilio_account_sid: str | None = Field(default=None, description="Twilio account SID (AC...)")
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="Twilio auth token: authenticates API calls and verifies webhooks"
    )
    twilio_from_number: str | None = Field(default=None, description="E.164 number calls and SMS come from")
    twilio_whatsapp_from: str | None = Field(
        default=None, description="WhatsApp sender, E.164 (sent as whatsapp:+...); none: no WhatsApp"
    )
    twilio_api_base_url: str | None = Field(
        default=None, description="replaces https://api.twilio.com (a proxy, or a local fake in tests)"
    )
    # --- Twilio ---
    twilio_whatsapp_templates: Path | None = Field(
        default=None,
        description="YAML/JSON file mapping template ids to approved WhatsApp Content templates "
        "(content_sid, variables); none: outside the 24-hour window WhatsApp sends are rejected",
    )
    public_base_url: str | None = Field(
        default=None,
        description="where customers and providers reach this app (https://host): payment and unsubscribe "
        "links, Twilio's /v1/twilio/... webhooks; links use http://127.0.0.1:8000 when unset",
    )
    link_secret: SecretStr | None = Field(
        default=None,
        description="key signing payment and unsubscribe links; unset: one generated and stored per database",
    )
    payment_link_days: int = Field(default=30, ge=1, le=365, description="how long a payment link is valid")
    unsubscribe_email: str = Field(
        default="unsubscribe@arrears.local", description="mailbox behind the List-Unsubscribe mailto"
    )
    language_services: str = Field(
        default="ask us for an interpreter or for letters in your language",
        description="the language-services sentence some places require (New York City)",
    )
    # --- Stripe payments ---
    stripe_api_key: SecretStr | None = Field(
        default=None, description="Stripe secret or restricted key (sk_/rk_): payment links come from Stripe"
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None, description="signing secret (whsec_...) of the endpoint /v1/stripe/webhook"
    )
    stripe_api_base: str | None = Field(
        default=None, description="replaces https://api.stripe.com (a proxy, or the local fake in tests)"
    )
    stripe_checkout: Literal["auto", "checkout_session", "payment_link"] = Field(
        default="auto",
        description="auto: a Checkout Session when the link expires within 24 h, else a Payment Link",
    )
    stripe_timeout_seconds: float = Field(default=10.0, gt=0, le=80, description="per Stripe API call")
    stripe_max_network_retries: int = Field(default=2, ge=0, le=5, description="the SDK's own retries")

    # --- SMTP email out ---
    smtp_host: str | None = Field(
        default=None,
        description="mail server or relay that sends email (smtp.gmail.com, ...); unset: local sink",
    )
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535, description="default: 587 for starttls, 465 for tls, 25 for none"
    )
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (587), tls: implicit TLS (465), none: plain (a local relay)"
    )
    smtp_username: str | None = Field(default=None, description="AUTH user; unset: no authentication")
    smtp_password: SecretStr | None = Field(
        default=None, description="AUTH password (an app password for Gmail)"
    )
    smtp_from_address: str | None = Field(
        default=None,
        validate_default=True,
        description="the From address (required with ARREARS_SMTP_HOST); the business name is shown",
    )
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="connect and every command")
    smtp_ca_file: Path | None = Field(
        default=None, description="CA certificate to trust for the relay (a private CA); unset: system CAs"
    )

    # --- email in: Mailgun inbound routes (replies and bounces) ---
    mailgun_signing_key: SecretStr | None = Field(
        default=None,
        description="Mailgun's HTTP webhook signing key; set: /v1/email/inbound/mailgun(/mime) are mounted",
    )
    mailgun_signature_tolerance_seconds: int = Field(
        default=300, ge=30, le=86_400, description="how far a signed Mailgun timestamp may be from our clock"
    )
    mailgun_api_key: SecretStr | None = Field(
        default=None, description="optional private API key: `arrears providers check` lists the routes"
    )
    mailgun_api_base: str = Field(
        default="https://api.mailgun.net",
        description="Mailgun's API; EU accounts: https://api.eu.mailgun.net",
    )

    # --- write-back, signed webhooks, Slack ---
    webhook_endpoints: Path | None = Field(
        default=None,
        description="YAML file of signed-webhook endpoints: [{name, url, secrets: [whsec_...], events}]",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="per webhook POST")
    slack_webhook_url: SecretStr | None = Field(
        default=None, description="Slack incoming-webhook URL: one alert per pass when tasks are opened"
    )
    writeback_max_attempts: int = Field(
        default=8, ge=1, le=100, description="failed attempts after which an event is a dead letter"
    )
    writeback_backoff_seconds: float = Field(
        default=30.0, gt=0, description="the first retry's ceiling; doubled each attempt, full jitter"
    )
    writeback_backoff_cap_seconds: float = Field(
        default=21_600.0, gt=0, description="the longest wait between two attempts (6 h)"
    )
    writeback_lease_seconds: float = Field(
        default=60.0, ge=5, description="how long a worker owns a destination's cursor without renewing"
    )
    writeback_batch_size: int = Field(default=200, ge=1, le=5000, description="events read per batch")

    # --- CRM write-back: HubSpot and Salesforce ---
    hubspot_access_token: SecretStr | None = Field(
        default=None, description="HubSpot private-app token (crm.objects.* scopes); set: HubSpot write-back"
    )
    hubspot_api_base: str | None = Field(
        default=None, description="replaces https://api.hubapi.com (a proxy, or a local fake in tests)"
    )
    hubspot_object: Literal["company", "deal"] = Field(
        default="company", description="the HubSpot record a customer's figures go on (B2B: company)"
    )
    salesforce_instance_url: str | None = Field(
        default=None, description="https://<org>.my.salesforce.com, used with ARREARS_SALESFORCE_SESSION_ID"
    )
    salesforce_session_id: SecretStr | None = Field(
        default=None, description="a Salesforce access token (with the instance URL); set: write-back"
    )
    salesforce_consumer_key: str | None = Field(
        default=None, description="connected app's key for OAuth client credentials (with _SECRET, _DOMAIN)"
    )
    salesforce_consumer_secret: SecretStr | None = Field(default=None, description="connected app's secret")
    salesforce_username: str | None = Field(default=None, description="API user for password login")
    salesforce_password: SecretStr | None = Field(default=None, description="the API user's password")
    salesforce_security_token: SecretStr | None = Field(default=None, description="the API user's token")
    salesforce_domain: str | None = Field(
        default=None, description="login, test, or the My Domain prefix (acme.my) for client credentials"
    )
    salesforce_api_version: str = Field(default="59.0", description="REST API version, e.g. 59.0")
    salesforce_api_base: str | None = Field(
        default=None, description="replaces scheme and host of every Salesforce call (a proxy or a fake)"
    )

    @field_validator("smtp_from_address")
    @classmethod
    def _smtp_needs_a_sender(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A relay without a From address would fail at the first send, not at start-up (a field validator:
        the error shows this field's value, not every setting and so no password)."""
        if info.data.get("smtp_host") and not (value or "").strip():
            raise ValueError("ARREARS_SMTP_FROM_ADDRESS is required when ARREARS_SMTP_HOST is set")
        return value

    @property
    def agent_business_name(self) -> str:
        """The business name as the agent says it (empty when none is configured)."""
        return (self.business_name or "").strip()

    # --- provider resilience ---
    send_concurrency: int = Field(
        default=8, ge=1, le=64, description="sends in flight at once per worker (never two to one customer)"
    )
    breaker_failures: int = Field(
        default=5, ge=1, le=1000, description="transient failures in a row that open a provider's circuit"
    )
    breaker_cooldown_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="how long an open circuit refuses sends before one probe"
    )
    rate_limits: str = Field(
        default="", description="provider=messages_per_second pairs, e.g. twilio=10,smtp=20; unset: unlimited"
    )
    sender_rate_limits: str = Field(
        default="",
        description="provider=messages_per_second per sender number, e.g. twilio=1 (a US long code)",
    )
    rate_limit_wait_seconds: float = Field(
        default=2.0, ge=0, le=30, description="longest wait for a rate-limit token before a send is put off"
    )

    @model_validator(mode="after")
    def _rates_are_pairs(self) -> Settings:
        """A misspelt limit would silently not apply: refused at start-up, naming the setting."""
        from arrears.channels.resilience import parse_rates

        parse_rates(self.rate_limits, "ARREARS_RATE_LIMITS")
        parse_rates(self.sender_rate_limits, "ARREARS_SENDER_RATE_LIMITS")
        return self

    @model_validator(mode="after")
    def _margin_inside_the_lease(self) -> Settings:
        """A margin as long as the lease would fence every send: refused at start-up, not at a send."""
        if self.send_margin_seconds is not None and self.send_margin_seconds >= self.lease_seconds:
            raise ValueError(
                f"ARREARS_SEND_MARGIN_SECONDS ({self.send_margin_seconds}) must be below "
                f"ARREARS_LEASE_SECONDS ({self.lease_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _fault_is_known(self) -> Settings:
        """A misspelt crash point would never fire and a test would pass without its crash."""
        if self.fault_at is not None:
            if self.fault_marker is None:
                raise ValueError("ARREARS_FAULT_AT needs ARREARS_FAULT_MARKER (where the hit is recorded)")
            FaultPlan.parse(self.fault_at, self.fault_marker)
        return self

    # --- daily manager summary ---
    summary_recipients: str = Field(
        default="", description="comma-separated e-mail addresses of the daily summary; empty: not sent"
    )
    summary_hour: int = Field(
        default=7, ge=0, le=23, description="local hour after which the worker sends yesterday's summary"
    )
    summary_time_zone: str = Field(default="UTC", description="IANA zone of the summary's day and hour")
    summary_locale: str = Field(default="en-US", description="how the summary writes money and dates")

    @property
    def summary_addresses(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.summary_recipients.split(",") if a.strip())

    @model_validator(mode="after")
    def _summary_is_valid(self) -> Settings:
        """A bad address or zone would only show when the first summary failed: refused at start-up."""
        import re
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        for address in self.summary_addresses:
            if not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+", address):
                raise ValueError(f"ARREARS_SUMMARY_RECIPIENTS: {address!r} is not an e-mail address")
        try:
            ZoneInfo(self.summary_time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"ARREARS_SUMMARY_TIME_ZONE: unknown time zone {self.summary_time_zone!r}"
            ) from None
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
