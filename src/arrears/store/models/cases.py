"""Delinquency episodes and what hangs off them: promises, holds, the human queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from arrears.core.ids import new_id
from arrears.store.base import Base


class Case(Base):
    """One delinquency episode of an account; at most one open case per account."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_due", "status", "next_action_at"),
        Index(
            "uq_cases_one_open_per_account",
            "account_id",
            unique=True,
            postgresql_where=text("status <> 'closed'"),
            sqlite_where=text("status <> 'closed'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | on_hold | closed
    stage: Mapped[str] = mapped_column(String(32), default="early")  # early | late | handoff | agency
    strategy_name: Mapped[str] = mapped_column(String(64))
    strategy_version: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int]
    opening_balance_minor: Mapped[int]
    oldest_due_on: Mapped[date]
    broken_promises: Mapped[int] = mapped_column(default=0)
    completed_steps: Mapped[list[str]] = mapped_column(default=list)
    #: Days the strategy's ladder runs behind the due date (a late start; see CaseView.ladder_shift_days).
    ladder_shift_days: Mapped[int] = mapped_column(default=0, server_default="0")
    next_action_at: Mapped[datetime | None]
    # The action key of the step the gate last deferred: a deferral is recorded once per step, not per pass.
    deferred_step: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))
    recovered_minor: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class Promise(Base):
    __tablename__ = "promises"
    __table_args__ = (Index("ix_promises_case_status", "case_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    due_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(16))
    # pending | scheduled (a later plan instalment) | kept | broken | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    interaction_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # A payment plan: instalment n of `instalments`, all rows sharing `plan_id` (null for a single promise).
    plan_id: Mapped[str | None] = mapped_column(String(32), index=True)
    instalment: Mapped[int | None]
    instalments: Mapped[int | None]


class Hold(Base):
    """A reason not to collect: dispute, cease, attorney, bankruptcy, deceased, hardship, vulnerable."""

    __tablename__ = "holds"
    __table_args__ = (
        Index("ix_holds_customer_active", "customer_id", "released_at"),
        Index("ix_holds_expiring", "status", "until"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16), default="case")  # case | customer | channel
    channel: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # arrears.holds.HoldStatus
    placed_by: Mapped[str] = mapped_column(String(128), default="system")
    created_at: Mapped[datetime]
    until: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(128))
    release_reason: Mapped[str | None] = mapped_column(String(512))


class Task(Base):
    """The human-owned queue: what a person must decide or do."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_queue", "status", "team", "priority", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64), default="collections")
    owner: Mapped[str | None] = mapped_column(String(128))
    priority: Mapped[int] = mapped_column(default=3)  # 1 highest
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")  # arrears.tasks.TaskStatus
    summary: Mapped[str] = mapped_column(String(4000), default="")
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # How it was closed (arrears.tasks.Resolution), by whom, and what they noted.
    resolution: Mapped[str | None] = mapped_column(String(32))
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolution_note: Mapped[str | None] = mapped_column(String(2000))
