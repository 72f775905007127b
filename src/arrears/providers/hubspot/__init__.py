"""HubSpot: outcomes, tasks and a customer's figures written back to the CRM (docs/providers/crm.md)."""

from __future__ import annotations

from functools import partial

from arrears.providers.base import Offer
from arrears.providers.hubspot.checks import check
from arrears.providers.hubspot.client import HubSpotConfig, make_client
from arrears.providers.hubspot.destination import HubSpotDestination


def offer(config: HubSpotConfig) -> Offer:
    client = make_client(config)
    return Offer(
        "hubspot",
        destinations=(HubSpotDestination(config, client),),
        checks=(partial(check, config, client),),
    )


__all__ = ["HubSpotConfig", "HubSpotDestination", "check", "offer"]
