"""Which invoices an offer link covers: the one rule both ways of paying one (Stripe's webhook, the local
payment page) settle by, so a paid discount or an agreed settlement means the same wherever it is paid."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from arrears.store.models import Invoice, PaymentLink


def invoices_covered(
    session: Session, link: PaymentLink, account_id: str, named: Collection[str] = ()
) -> Sequence[Invoice]:
    """The account's open invoices in the link's currency that were billed before the offer was made (and,
    when the link's metadata names them, only those): an invoice billed later is still owed."""
    query = (
        select(Invoice)
        .where(
            Invoice.account_id == account_id,
            Invoice.currency == link.currency,
            Invoice.status == "open",
            Invoice.balance_minor > 0,
            Invoice.created_at <= link.created_at,
        )
        .order_by(Invoice.due_on, Invoice.external_id)
    )
    if named:
        query = query.where(Invoice.external_id.in_(list(named)))
    return session.scalars(query).all()
