"""Builders for gate requests, so each test states only the facts it is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import (
    Address,
    CallerKind,
    ContactChannel,
    ContactProposal,
    DestinationKind,
    GateRequest,
    PriorContact,
)
from arrears.compliance.profiles import TenantSettings

MOBILE = "+16175550100"  # Boston area code: America/New_York
BOSTON = Address("US", "MA", "Boston", "02139")
# 2026-11-18 is a Wednesday; 15:00 UTC is 10:00 in New York.
NOON_NY = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)

_GATES: dict[str, ProfileGate] = {}


def gate(kind: str = "third_party") -> ProfileGate:
    if kind not in _GATES:
        _GATES[kind] = ProfileGate(tenant=TenantSettings(collector_kind=kind))
    return _GATES[kind]


def proposal(**changes: Any) -> ContactProposal:
    base = ContactProposal(
        person_id="p1",
        debt_id="d1",
        channel=ContactChannel.VOICE,
        destination=MOBILE,
        destination_kind=DestinationKind.MOBILE,
        caller_kind=CallerKind.HUMAN,
        address=BOSTON,
    )
    return replace(base, **changes)


def request(now: datetime = NOON_NY, **changes: Any) -> GateRequest:
    fields = {k: v for k, v in changes.items() if k in ContactProposal.__dataclass_fields__}
    rest = {k: v for k, v in changes.items() if k not in fields}
    return GateRequest(proposal=proposal(**fields), now=now, **rest)


def call(at: datetime, **changes: Any) -> PriorContact:
    base = PriorContact(
        at=at,
        channel=ContactChannel.VOICE,
        destination=MOBILE,
        destination_kind=DestinationKind.MOBILE,
        debt_id="d1",
    )
    return replace(base, **changes)


def calls(
    count: int, start: datetime, step: timedelta = timedelta(hours=1), **changes: Any
) -> tuple[PriorContact, ...]:
    return tuple(call(start + i * step, **changes) for i in range(count))
