"""The schema keeps its promises on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from arrears.store.migrate import downgrade, upgrade
from arrears.store.models import Account, AuditEntry, Customer, Invoice

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _customer(session: Session) -> Customer:
    customer = Customer(source_system="t", external_id="c1", name="Ada", created_at=NOW, updated_at=NOW)
    session.add(customer)
    session.flush()
    return customer


def test_times_come_back_aware_utc(sessions: sessionmaker[Session]) -> None:
    paris = timezone(timedelta(hours=1))
    with sessions.begin() as session:
        customer = Customer(
            source_system="t",
            external_id="c1",
            name="Ada",
            created_at=datetime(2026, 3, 1, 13, 0, tzinfo=paris),
            updated_at=NOW,
        )
        session.add(customer)
    with sessions() as session:
        stored = session.scalars(select(Customer)).one()
        assert stored.created_at == NOW
        assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(0)


def test_naive_time_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as session:
        session.add(
            Customer(
                source_system="t", external_id="c", name="x", created_at=datetime(2026, 1, 1), updated_at=NOW
            )
        )


def test_negative_balance_is_refused_and_nothing_half_written(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        customer = _customer(session)
        account = Account(customer_id=customer.id, source_system="t", external_id="a1", created_at=NOW)
        session.add(account)
        session.flush()
        session.add(
            Invoice(
                account_id=account.id,
                source_system="t",
                external_id="i1",
                number="1",
                currency="USD",
                amount_minor=100,
                balance_minor=-1,
                issued_on=date(2026, 1, 1),
                due_on=date(2026, 2, 1),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    with sessions() as session:
        assert session.scalars(select(Customer)).all() == []


def test_audit_log_is_append_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(AuditEntry(at=NOW, actor="test", action="created", entity="case", entity_id="1"))
    with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as session:
        session.execute(text("DELETE FROM audit_log"))
    with sessions() as session:
        assert session.scalars(select(AuditEntry.actor)).all() == ["test"]


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    with engine.connect() as conn:
        assert "customers" not in engine.dialect.get_table_names(conn)
    upgrade(engine)
    with engine.connect() as conn:
        assert "customers" in engine.dialect.get_table_names(conn)


def test_one_migration_head_and_the_schema_matches_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from arrears.store.base import Base
    from arrears.store.migrate import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
