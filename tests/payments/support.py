"""A customer with an open case and two open invoices, built through real events, for the link tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from arrears.core.clock import SimulatedClock
from arrears.settings import Settings
from arrears.store.models import Case
from arrears.system import System, build_system
from tests.events.support import deliver, invoice_created

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def open_case(
    sessions: sessionmaker[Session],
    *,
    locale: str = "en-US",
    currency: str = "USD",
    time_zone: str = "America/New_York",
) -> Case:
    """1,234.50 (INV-1001, due 2026-02-01) + 20.00 (INV-1002, due 2026-02-15) owed in `currency`."""
    for n, (amount, due_on) in enumerate((("1234.50", "2026-02-01"), ("20.00", "2026-02-15")), start=1):
        body = invoice_created(
            n,
            account="acct-1",
            customer="cust-1",
            amount=amount,
            due_on=due_on,
            customer_name="Dana Reyes",
            locale=locale,
            time_zone=time_zone,
            email="dana@example.com",
        )
        body["currency"], body["invoice_number"] = currency, f"INV-{1000 + n}"
        with sessions.begin() as session:
            assert deliver(session, f"seed-{n}", body, NOW) == "done"
    with sessions() as session:
        return session.scalars(select(Case)).one()


BUSINESS = "Northwind & Sons"


def system_for(engine: Engine, clock: SimulatedClock, tmp_path: Path) -> System:
    """The real system on this database, signing as BUSINESS (an ampersand: the pages must escape it)."""
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings.model_validate(
        {"database_url": url, "outbox_dir": tmp_path / "out", "agent_business_name": BUSINESS}
    )
    return build_system(settings, clock=clock, engine=engine)


def base36(number: int) -> str:
    """A pay token's expiry notation (unix seconds in base 36), for tests that alter one."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return base36(number // 36) + digits[number % 36] if number >= 36 else digits[number]
