"""The audit trail answers who did what to which record and when, so an entry must hold exactly what it was
given, land only with the caller's transaction, and never change afterwards: the database itself refuses
an UPDATE or DELETE of an audit row (triggers on both PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable

from arrears.audit import entry, record, record_many
from arrears.store.models import AuditEntry
from tests.conversations.support import NOW


def _entries(session: Session, entity_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
    return list(session.scalars(query))


def _write_one(sessions: sessionmaker[Session], entity_id: str = "case-1") -> None:
    with sessions.begin() as session:
        record(
            session,
            at=NOW,
            actor="ana",
            action="hold_placed",
            entity="case",
            entity_id=entity_id,
            data={"reason": "says it is not her debt"},
        )


def test_an_entry_records_actor_action_subject_and_time_as_given(sessions: sessionmaker[Session]) -> None:
    _write_one(sessions)
    with sessions.begin() as session:
        record(
            session,
            at=NOW + timedelta(minutes=5),
            actor="system",
            action="noted",
            entity="task",
            entity_id="t-1",
        )
    with sessions() as session:
        [entry_] = _entries(session, "case-1")
        assert (entry_.at, entry_.actor, entry_.action, entry_.entity, entry_.entity_id) == (
            NOW,
            "ana",
            "hold_placed",
            "case",
            "case-1",
        )
        assert entry_.data == {"reason": "says it is not her debt"}
        [bare] = _entries(session, "t-1")
        assert (bare.at, bare.actor, bare.action, bare.entity, bare.data) == (
            NOW + timedelta(minutes=5),
            "system",
            "noted",
            "task",
            {},
        )


def test_an_entry_lands_only_when_the_callers_transaction_commits(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        record(session, at=NOW, actor="ana", action="hold_placed", entity="case", entity_id="case-1")
        session.rollback()
    with sessions() as session:
        assert _entries(session, "case-1") == []


def test_entries_written_in_bulk_keep_each_rows_fields(sessions: sessionmaker[Session]) -> None:
    rows = [
        entry(at=NOW, actor="import", action="created", entity="case", entity_id="case-2", data={"n": 1}),
        {"at": NOW, "actor": "planner", "action": "planned", "entity": "case", "entity_id": "case-2"},
    ]
    with sessions.begin() as session:
        record_many(session, rows)
        record_many(session, [])
    with sessions() as session:
        found = [(e.at, e.actor, e.action, e.entity, e.data) for e in _entries(session, "case-2")]
        assert found == [
            (NOW, "import", "created", "case", {"n": 1}),
            (NOW, "planner", "planned", "case", {}),
        ]


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).where(AuditEntry.entity_id == "case-1").values(actor="mallory"),
        delete(AuditEntry).where(AuditEntry.entity_id == "case-1"),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_entry(
    sessions: sessionmaker[Session], statement: Executable
) -> None:
    _write_one(sessions)
    with sessions() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
        session.rollback()
    with sessions() as session:
        [kept] = _entries(session, "case-1")
        assert (kept.actor, kept.action, kept.at) == ("ana", "hold_placed", NOW)


def test_raw_sql_cannot_rewrite_the_audit_log_either(sessions: sessionmaker[Session]) -> None:
    _write_one(sessions)
    with sessions() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text("UPDATE audit_log SET at = :at"), {"at": NOW - timedelta(days=1)})
        session.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text("DELETE FROM audit_log"))
        session.rollback()
    with sessions() as session:
        assert [e.at for e in _entries(session, "case-1")] == [NOW]
