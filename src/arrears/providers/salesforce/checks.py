"""`arrears providers check` for Salesforce: describe Task and Account (read-only calls that prove the
session and the API version) and say plainly which custom field is still to be created."""

from __future__ import annotations

from typing import Any

from arrears.providers.checks import CheckResult
from arrears.providers.salesforce.client import SDK_ERRORS, LazyClient, delivery_error

#: (object, field, must be an External ID): what write-back needs (docs/providers/crm.md).
REQUIRED_FIELDS = (
    ("Task", "Arrears_Event_Id__c", True),
    ("Account", "Arrears_Customer_Id__c", True),
    ("Account", "Arrears_Balance__c", False),
    ("Account", "Arrears_Recovered__c", False),
    ("Account", "Arrears_Currency__c", False),
    ("Account", "Arrears_Stage__c", False),
    ("Account", "Arrears_Promise_Date__c", False),
)


def _problems(sf: Any) -> list[str]:
    described = {
        name: {f["name"]: f for f in getattr(sf, name).describe()["fields"]} for name in ("Task", "Account")
    }
    problems = []
    for sobject, field, external in REQUIRED_FIELDS:
        found = described[sobject].get(field)
        if found is None:
            problems.append(f"{sobject}.{field} is missing")
        elif external and not found.get("externalId"):
            problems.append(f"{sobject}.{field} is not marked External ID (and Unique)")
    return problems


def check(client: LazyClient) -> CheckResult:
    """Never raises: a failure is a result with its fix."""
    try:
        problems = _problems(client.get())
    except ValueError as exc:  # no complete way in configured
        return CheckResult("salesforce", False, str(exc), "see docs/providers/crm.md, Salesforce")
    except SDK_ERRORS as exc:
        detail, _, fix = str(delivery_error(exc, "describing Task and Account")).partition(": ")
        return CheckResult("salesforce", False, detail, fix or "check the instance URL and the network")
    if problems:
        return CheckResult(
            "salesforce",
            False,
            "; ".join(problems),
            "create the fields in Setup > Object Manager as listed in docs/providers/crm.md",
        )
    return CheckResult("salesforce", True, "session accepted; Task and Account have the Arrears fields")
