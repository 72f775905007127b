"""Salesforce: outcomes and tasks as Tasks, a customer's figures on their Account (docs/providers/crm.md)."""

from __future__ import annotations

from functools import partial

from arrears.providers.base import Offer
from arrears.providers.salesforce.checks import check
from arrears.providers.salesforce.client import LazyClient, SalesforceConfig
from arrears.providers.salesforce.destination import SalesforceDestination


def offer(config: SalesforceConfig) -> Offer:
    """Nothing is called here: the client logs in on the first delivery or check."""
    client = LazyClient(config)
    return Offer(
        "salesforce",
        destinations=(SalesforceDestination(config, client),),
        checks=(partial(check, client),),
    )


__all__ = ["SalesforceConfig", "SalesforceDestination", "check", "offer"]
