"""Everything one planning batch writes, gathered in memory and flushed as a few set-based statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from arrears import audit
from arrears.casefacts.contact import Destination
from arrears.casefacts.model import CaseFacts
from arrears.compliance.model import Decision
from arrears.core.ids import new_id
from arrears.feed import EventKind, event_row, publish_rows
from arrears.interactions import outbound_row, record_rows
from arrears.promises import break_promises
from arrears.store.base import Base
from arrears.store.bulk_rows import insert_rows, update_rows
from arrears.store.models import AuditEntry, Case, OutboxAction
from arrears.strategy.plan import Action, ActionKind, PassedOver
from arrears.strategy.schema import Priority, Strategy
from arrears.tasks import TaskSpec, open_tasks

_PRIORITY = {Priority.URGENT: 1, Priority.HIGH: 2, Priority.NORMAL: 3, Priority.LOW: 4}


@dataclass
class PlanWrites:
    now: datetime
    outbox_rows: list[dict[str, Any]] = field(default_factory=list)
    interaction_rows: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    case_rows: list[dict[str, Any]] = field(default_factory=list)
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    broken_promises: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    review_used: dict[tuple[str, int], int] = field(default_factory=dict)

    def outbox(
        self, facts: CaseFacts, action: Action, destination: Destination, decision: Decision, *, review: bool
    ) -> None:
        payload: dict[str, Any] = {
            "tone": action.tone.value,
            "reason": action.reason,
            "payment_link": action.payment_link,
            "decision": decision.to_json(),
        }
        if action.kind is ActionKind.CONTACT:
            # A ladder step: the dispatcher spaces it from the case's other messages (replies are not).
            payload["spacing"] = {"late": action.late}
        if action.offer is not None:
            payload["offer"] = {
                "currency": action.offer.currency,
                "discount_minor": action.offer.discount_minor,
                "pay_minor": action.offer.pay_minor,
                "expires_on": action.offer.expires_on.isoformat(),
            }
        self.outbox_rows.append(
            {
                "id": new_id(),
                "idempotency_key": action.action_key,
                "case_id": facts.case_id,
                "customer_id": facts.customer_id,
                "kind": action.kind.value,
                "step_id": action.step_id,
                "channel": action.channel.value,
                "destination": destination.value,
                "destination_kind": destination.kind.value,
                "template": action.template,
                "payload": payload,
                "status": "review" if review else "pending",
                "not_before": self.now,
                "attempts": 0,
                "created_at": self.now,
            }
        )

    def refusal(
        self,
        facts: CaseFacts,
        action: Action,
        destination: Destination | None,
        decision: Decision | None,
        why: str,
        status: str = "refused",
    ) -> None:
        """A step that will not go out (refused, or deferred: `status`) is recorded with the reasons."""
        reason = {"rule_id": "engine.no_destination", "source": "contact points on file", "message": why}
        self.interaction_rows.append(
            outbound_row(
                case_id=facts.case_id,
                customer_id=facts.customer_id,
                channel=action.channel.value,
                status=status,
                at=self.now,
                destination=destination.value if destination else None,
                destination_kind=destination.kind.value if destination else None,
                planned_at=self.now,
                decision=decision.to_json() if decision else {"verdict": "deny", "reasons": [reason]},
                detail={"step_id": action.step_id, "template": action.template, "why": why},
            )
        )

    def skip(self, facts: CaseFacts, passed: PassedOver, strategy: Strategy) -> None:
        """A step catch-up passed over, recorded where people look: an interaction (so `compliance
        explain` and the timeline show it) and an audit entry, both with the reason."""
        source = f"strategy {strategy.name} v{strategy.version}"
        reason = {"rule_id": "strategy.catch_up", "source": source, "message": passed.reason}
        detail = {"step_id": passed.step_id, "day": passed.day, "why": passed.reason}
        self.interaction_rows.append(
            outbound_row(
                case_id=facts.case_id,
                customer_id=facts.customer_id,
                channel=passed.channel.value,
                status="skipped",
                at=self.now,
                planned_at=self.now,
                decision={"verdict": "deny", "reasons": [reason]},
                detail=detail,
            )
        )
        self.audit_rows.append(_audit(self.now, "step_skipped", "case", facts.case_id, detail))

    def task(self, facts: CaseFacts, action: Action, strategy: Strategy) -> None:
        context: dict[str, Any] = {
            "step_id": action.step_id,
            "agency": action.agency,
            "strategy": strategy.name,
        }
        if action.step_id.startswith("hold-task:"):
            context["hold_kinds"] = action.step_id.removeprefix("hold-task:").split("+")
        self.tasks.append(
            TaskSpec(
                idempotency_key=action.action_key,
                case_id=facts.case_id,
                reason=action.kind.value if action.kind.value != "task" else action.template,
                summary=action.reason,
                priority=_PRIORITY.get(action.priority or Priority.NORMAL, 3),
                team=action.team or strategy.default_team,
                due_at=self.now + timedelta(days=1),
                context=context,
            )
        )

    def case_update(
        self, facts: CaseFacts, *, completed: list[str], next_action_at: datetime | None, status: str
    ) -> None:
        stage = _stage(status, completed)
        self.case_rows.append(
            {
                "id": facts.case_id,
                "completed_steps": completed,
                "next_action_at": next_action_at,
                "status": status,
                "broken_promises": facts.broken_promises,
                "deferred_step": facts.deferred_step,
                "ladder_shift_days": facts.ladder_shift_days,
                "stage": stage,
                "updated_at": self.now,
            }
        )
        if stage != facts.stage:
            data = {"from": facts.stage, "to": stage, "status": status}
            self.events.append(
                event_row(
                    EventKind.CASE_STAGE_CHANGED,
                    facts.case_id,
                    self.now,
                    case_id=facts.case_id,
                    customer_id=facts.customer_id,
                    data=data,
                )
            )

    def flush(self, session: Session) -> None:
        """Everything in a few set-based statements; see store.bulk_rows for why not the ORM."""
        insert_rows(session, _table(OutboxAction), self.outbox_rows, ignore_conflicts_on=["idempotency_key"])
        open_tasks(session, self.tasks, actor="planner", now=self.now)
        record_rows(session, self.interaction_rows)
        publish_rows(session, self.events)
        break_promises(session, self.broken_promises, self.now)
        update_rows(session, _table(Case), "id", self.case_rows)
        for row in self.outbox_rows:
            self.audit_rows.append(
                _audit(
                    self.now,
                    "action_planned",
                    "outbox",
                    row["id"],
                    {
                        "case_id": row["case_id"],
                        "step": row["step_id"],
                        "channel": row["channel"],
                        "status": row["status"],
                    },
                )
            )
        insert_rows(session, _table(AuditEntry), self.audit_rows)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _audit(at: datetime, action: str, entity: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return audit.entry(at=at, actor="planner", action=action, entity=entity, entity_id=entity_id, data=data)


def _stage(status: str, completed: list[str]) -> str:
    if status == "handed_off":
        return "handoff"
    if status == "placed":
        return "agency"
    return "late" if len(completed) >= 3 else "early"
