"""Payment links and one-click unsubscribe: the interfaces the engine renders against."""

from arrears.payments.links import (
    IssuedLink,
    LinkRequest,
    PaymentLinks,
    PaymentLinksInSession,
    UnsubscribeLinks,
)

__all__ = ["IssuedLink", "LinkRequest", "PaymentLinks", "PaymentLinksInSession", "UnsubscribeLinks"]
