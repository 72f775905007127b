"""The CRM part of the registry: HubSpot and Salesforce write-back offers, each from its settings."""

from __future__ import annotations

from pydantic import SecretStr

from arrears.providers import hubspot, salesforce
from arrears.providers.base import Offer
from arrears.providers.hubspot import HubSpotConfig
from arrears.providers.salesforce import SalesforceConfig
from arrears.settings import Settings
from arrears.system.errors import ConfigError


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def hubspot_config(settings: Settings) -> HubSpotConfig | None:
    """HubSpot when ARREARS_HUBSPOT_ACCESS_TOKEN is set."""
    token = _secret(settings.hubspot_access_token)
    if not token:
        return None
    return HubSpotConfig(
        access_token=token, object_type=settings.hubspot_object, api_base=settings.hubspot_api_base
    )


def salesforce_config(settings: Settings) -> SalesforceConfig | None:
    """Salesforce when a session id, a connected app's key or a username is set; an incomplete way in is
    refused at start-up naming the settings still missing."""
    s = settings
    if not (s.salesforce_session_id or s.salesforce_consumer_key or s.salesforce_username):
        return None
    config = SalesforceConfig(
        instance_url=s.salesforce_instance_url,
        session_id=_secret(s.salesforce_session_id),
        consumer_key=s.salesforce_consumer_key,
        consumer_secret=_secret(s.salesforce_consumer_secret),
        username=s.salesforce_username,
        password=_secret(s.salesforce_password),
        security_token=_secret(s.salesforce_security_token),
        domain=s.salesforce_domain,
        api_version=s.salesforce_api_version,
        api_base=s.salesforce_api_base,
    )
    try:
        config.login_kwargs()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return config


def crm_offers(settings: Settings) -> list[Offer]:
    offers = []
    if (hub := hubspot_config(settings)) is not None:
        offers.append(hubspot.offer(hub))
    if (sf := salesforce_config(settings)) is not None:
        offers.append(salesforce.offer(sf))
    return offers
