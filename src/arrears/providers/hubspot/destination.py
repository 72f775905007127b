"""HubSpot as a write-back destination: a note per recorded outcome, a task per task opened for a person,
and the customer's figures on its company (or deal) record.

HubSpot takes no idempotency keys, so each note and task carries our event id in the custom property
`arrears_event_id`, and delivery searches for it before creating: a replay finds it and changes nothing.
Figures are the case's values at delivery, so writing them again is harmless. The record is found by the
custom property `arrears_customer_id` (the customer's id in the source system): docs/providers/crm.md.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from arrears.feed import FeedEvent
from arrears.feed.kinds import EventKind
from arrears.providers.crm import ACTIVITY_KINDS, FIGURE_KINDS, figures, outcome_note, task_text
from arrears.providers.hubspot.client import SDK_ERRORS, HubSpotConfig, delivery_error, make_client
from arrears.writeback.base import CaseSnapshot, DeliveryRefused
from hubspot.crm.objects import (  # type: ignore[import-untyped]
    AssociationSpec,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)

log = logging.getLogger(__name__)

EVENT_ID = "arrears_event_id"
CUSTOMER_ID = "arrears_customer_id"
#: HubSpot-defined association type ids: (activity, record type) -> typeId.
ASSOCIATION_TYPES = {
    ("notes", "companies"): 190,
    ("notes", "deals"): 214,
    ("tasks", "companies"): 192,
    ("tasks", "deals"): 216,
}


def _millis(at: datetime) -> str:
    """hs_timestamp as HubSpot documents it: milliseconds since the epoch, UTC."""
    return str(int(at.astimezone(UTC).timestamp() * 1000))


def figure_properties(case: CaseSnapshot) -> dict[str, str]:
    """The custom properties written on the company or deal (an empty date clears the promise)."""
    f = figures(case)
    return {
        "arrears_balance": f.balance,
        "arrears_recovered": f.recovered,
        "arrears_currency": f.currency,
        "arrears_stage": f.stage,
        "arrears_promise_date": f.promise_date or "",
        "arrears_days_overdue": str(f.days_overdue),
    }


class HubSpotDestination:
    """Writes outcomes, tasks and figures to HubSpot through the official client."""

    name = "hubspot"

    def __init__(self, config: HubSpotConfig, client: Any | None = None) -> None:
        self.config = config
        self.client = client if client is not None else make_client(config)
        # Each attribute access in the SDK builds a new API client and connection pool: made once here,
        # so connections are reused between deliveries.
        self.objects = self.client.crm.objects.basic_api
        self.search = self.client.crm.objects.search_api

    def accepts(self, kind: str) -> bool:
        return kind in ACTIVITY_KINDS or kind in FIGURE_KINDS

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        if case is None:  # nothing in the CRM to attach it to (a payment on no case)
            return
        record_id = self._record_id(case)
        if event.kind in FIGURE_KINDS:
            self._call(
                "updating figures",
                self.objects.update,
                self.config.plural,
                record_id,
                SimplePublicObjectInput(properties=figure_properties(case)),
            )
            log.info("hubspot.figures_written", extra={"event_id": event.id, "record": record_id})
            return
        if self._existing(event) is not None:
            log.info("hubspot.already_written", extra={"event_id": event.id, "kind": event.kind})
            return
        activity, properties = self._activity(event, case)
        association = PublicAssociationsForObject(
            to=PublicObjectId(id=record_id),
            types=[AssociationSpec("HUBSPOT_DEFINED", ASSOCIATION_TYPES[(activity, self.config.plural)])],
        )
        created = self._call(
            f"creating {activity[:-1]}",
            self.objects.create,
            activity,
            SimplePublicObjectInputForCreate(properties=properties, associations=[association]),
        )
        log.info("hubspot.created", extra={"event_id": event.id, "object": activity, "id": created.id})

    def _activity(self, event: FeedEvent, case: CaseSnapshot) -> tuple[str, dict[str, str]]:
        stamp = {EVENT_ID: event.id, "hs_timestamp": _millis(event.occurred_at)}
        if event.kind == EventKind.OUTCOME_RECORDED.value:
            return "notes", {**stamp, "hs_note_body": outcome_note(event, case)}
        text = task_text(event, case)
        return "tasks", {
            **stamp,
            "hs_task_subject": text.subject,
            "hs_task_body": text.body,
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": text.priority,
            "hs_task_type": "TODO",
        }

    def _search(self, object_type: str, prop: str, value: str) -> list[Any]:
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name=prop, operator="EQ", value=value)])],
            properties=[prop],
            limit=2,
        )
        found = self._call(f"searching {object_type}", self.search.do_search, object_type, request)
        return list(found.results)

    def _existing(self, event: FeedEvent) -> str | None:
        object_type = "notes" if event.kind == EventKind.OUTCOME_RECORDED.value else "tasks"
        results = self._search(object_type, EVENT_ID, event.id)
        return str(results[0].id) if results else None

    def _record_id(self, case: CaseSnapshot) -> str:
        results = self._search(self.config.plural, CUSTOMER_ID, case.customer_external_id)
        if not results:
            raise DeliveryRefused(
                f"no HubSpot {self.config.object_type} has {CUSTOMER_ID} = the customer's id in "
                f"{case.source_system}: set that property on the record, then replay"
            )
        return str(results[0].id)

    def _call(self, doing: str, method: Any, *args: Any) -> Any:
        try:
            return method(*args, _request_timeout=self.config.timeout_seconds)
        except SDK_ERRORS as exc:
            raise delivery_error(exc, doing) from None
