"""Who the messages are from and what the shell needs to finish them, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from arrears.messages.catalogue import Catalogue, catalogue
from arrears.messages.render import Business


@dataclass(frozen=True, slots=True)
class MessageConfig:
    business: Business
    templates: Catalogue = field(default_factory=catalogue)
    unsubscribe_mailto: str | None = None  # the mailbox beside the one-click URL in List-Unsubscribe
    link_validity: timedelta = timedelta(days=30)  # a payment link without an offer stays valid this long
