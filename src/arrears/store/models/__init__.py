"""Every table, imported here so metadata and Alembic see them all."""

from arrears.store.models.audit import ApiKey, AuditEntry, StrategyVersion
from arrears.store.models.billing import Account, Invoice, Payment
from arrears.store.models.cases import Case, Hold, Promise, Task
from arrears.store.models.compliance import ContactPreference, DoNotContact
from arrears.store.models.conversations import Interaction, Outcome
from arrears.store.models.conversations_state import Conversation
from arrears.store.models.customers import Consent, ContactPoint, Customer, OptOut
from arrears.store.models.feed import DomainEvent, FeedCursor
from arrears.store.models.messaging import InboxEvent, OutboxAction
from arrears.store.models.payments import PaymentLink
from arrears.store.models.secrets import AppSecret
from arrears.store.models.writeback import WritebackDelivery

__all__ = [
    "Account",
    "ApiKey",
    "AppSecret",
    "AuditEntry",
    "Case",
    "Consent",
    "ContactPoint",
    "ContactPreference",
    "Conversation",
    "Customer",
    "DoNotContact",
    "DomainEvent",
    "FeedCursor",
    "Hold",
    "InboxEvent",
    "Interaction",
    "Invoice",
    "OptOut",
    "OutboxAction",
    "Outcome",
    "Payment",
    "PaymentLink",
    "Promise",
    "StrategyVersion",
    "Task",
    "WritebackDelivery",
]
