"""Salesforce as a write-back destination: a Task per recorded outcome (completed) and per task opened for
a person (not started), and the customer's figures on their Account.

Both are upserts by external id (PATCH /sobjects/<type>/<field>/<value>): a Task by our event id in
`Arrears_Event_Id__c`, so a replay updates the same Task instead of adding one; an Account by the
customer's source-system id in `Arrears_Customer_Id__c`. Figures are the case's values at delivery, so
writing them again is harmless. Fields to create: docs/providers/crm.md.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from simple_salesforce.exceptions import SalesforceResourceNotFound

from arrears.feed import FeedEvent
from arrears.feed.kinds import EventKind
from arrears.providers.crm import ACTIVITY_KINDS, FIGURE_KINDS, figures, outcome_note, task_text
from arrears.providers.salesforce.client import (
    SDK_ERRORS,
    LazyClient,
    SalesforceConfig,
    delivery_error,
    error_code,
)
from arrears.writeback.base import CaseSnapshot, DeliveryRefused

log = logging.getLogger(__name__)

EVENT_ID = "Arrears_Event_Id__c"
CUSTOMER_ID = "Arrears_Customer_Id__c"
_PRIORITY = {"HIGH": "High", "MEDIUM": "Normal", "LOW": "Low"}


def account_fields(case: CaseSnapshot) -> dict[str, Any]:
    """The Account's custom fields; amounts as JSON numbers in major units (a Currency or Number field)."""
    f = figures(case)
    return {
        "Arrears_Balance__c": float(f.balance),
        "Arrears_Recovered__c": float(f.recovered),
        "Arrears_Currency__c": f.currency,
        "Arrears_Stage__c": f.stage,
        "Arrears_Promise_Date__c": f.promise_date,
    }


def task_fields(event: FeedEvent, case: CaseSnapshot) -> dict[str, Any]:
    """The Task's standard fields (WhatId is added when the Account is found)."""
    day = event.occurred_at.date().isoformat()
    if event.kind == EventKind.OUTCOME_RECORDED.value:
        routing = event.data.get("routing") or "recorded"
        return {
            "Subject": f"Arrears outcome: {routing}"[:255],
            "Description": outcome_note(event, case)[:32000],
            "Status": "Completed",
            "Priority": "Normal",
            "ActivityDate": day,
        }
    text = task_text(event, case)
    return {
        "Subject": text.subject,
        "Description": text.body[:32000],
        "Status": "Not Started",
        "Priority": _PRIORITY[text.priority],
        "ActivityDate": day,
    }


class SalesforceDestination:
    """Writes outcomes, tasks and figures to Salesforce through simple-salesforce."""

    name = "salesforce"

    def __init__(self, config: SalesforceConfig, client: LazyClient | None = None) -> None:
        self.config = config
        self.client = client if client is not None else LazyClient(config)

    def accepts(self, kind: str) -> bool:
        return kind in ACTIVITY_KINDS or kind in FIGURE_KINDS

    def deliver(self, event: FeedEvent, case: CaseSnapshot | None) -> None:
        if case is None:  # nothing in the CRM to attach it to (a payment on no case)
            return
        try:
            sf = self.client.get()
            if event.kind in FIGURE_KINDS:
                self._figures(sf, case)
            else:
                self._task(sf, event, case)
        except SDK_ERRORS as exc:
            raise delivery_error(exc, f"writing {event.kind}") from None

    def _figures(self, sf: Any, case: CaseSnapshot) -> None:
        key = f"{CUSTOMER_ID}/{quote(case.customer_external_id, safe='')}"
        try:
            sf.Account.upsert(key, account_fields(case))
        except SDK_ERRORS as exc:
            if error_code(exc) == "REQUIRED_FIELD_MISSING":  # an upsert that would create an Account
                raise DeliveryRefused(
                    f"no Salesforce Account has {CUSTOMER_ID} = the customer's id in {case.source_system}: "
                    "set that field on the account, then replay"
                ) from None
            raise
        log.info("salesforce.figures_written", extra={"case_id": case.case_id})

    def _task(self, sf: Any, event: FeedEvent, case: CaseSnapshot) -> None:
        fields = task_fields(event, case)
        account = self._account_id(sf, case)
        if account:
            fields["WhatId"] = account
        status = sf.Task.upsert(f"{EVENT_ID}/{quote(event.id, safe='')}", fields)
        log.info("salesforce.task_written", extra={"event_id": event.id, "status": status})

    def _account_id(self, sf: Any, case: CaseSnapshot) -> str | None:
        try:
            found = sf.Account.get_by_custom_id(CUSTOMER_ID, case.customer_external_id)
        except SalesforceResourceNotFound as exc:
            if "external id field" in str(exc.content).lower():  # the field itself is missing
                raise
            return None
        return str(found["Id"]) if isinstance(found, dict) and found.get("Id") else None
