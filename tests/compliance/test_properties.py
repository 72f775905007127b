"""Property tests: over random histories, zones (around DST changes), overlays and holds, the gate never
allows what the independent oracle forbids, allows whatever it permits, and every defer names the
earliest permitted instant (one second earlier is not allowed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import phonenumbers
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as phone_tz

from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import (
    Address,
    CallerKind,
    ConsentFact,
    ContactChannel,
    ContactProposal,
    DestinationKind,
    GateRequest,
    HoldFact,
    InconvenientTime,
    OptOutFact,
    PriorContact,
    Verdict,
)
from arrears.compliance.profiles import TenantSettings, parse_profile
from arrears.compliance.zones import canonical
from tests.compliance.oracle import Jurisdiction, ok_at

STRICT_TENANT = parse_profile(
    """
name: tenant
windows:
  - {id: us.regf.inconvenient_time, source: tenant policy, open: "09:00", close: "20:00"}
holidays:
  - {id: us.regf.inconvenient_time, source: tenant policy}
""",
    "tenant.yaml",
)
GATES = {
    ("third_party", False): ProfileGate(tenant=TenantSettings(collector_kind="third_party")),
    ("creditor", False): ProfileGate(tenant=TenantSettings(collector_kind="creditor")),
    ("third_party", True): ProfileGate(
        tenant=TenantSettings(collector_kind="third_party", overrides=STRICT_TENANT)
    ),
}

PLACES = [
    (Address("US", "MA", "Boston", "02139"), ["+16175550100", "+15125550100"]),
    (Address("US", "WA", "Seattle", "98101"), ["+12065550100", "+16175550100"]),
    (Address("US", "FL", "Pensacola"), ["+18505550100", "+13055550100"]),
    (Address("US", "CA", "Los Angeles", "90012"), ["+12135550100"]),
    (Address("US", "NY", "Brooklyn", "11201"), ["+17185550100", "+12065550100"]),
    (Address("US", "TX", "El Paso"), ["+19155550100", "+15125550100"]),
    (Address("US", "IN"), ["+13175550100"]),
    (Address("GB", "ENG", "London"), ["+447911123456"]),
    (Address("IN", "MH", "Mumbai"), ["+919820012345"]),
]
# Daylight-saving changes (US, UK), Thanksgiving and Christmas, as UTC anchors for "now".
ANCHORS = [
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 14, 0, tzinfo=UTC),
    datetime(2026, 12, 25, 9, 0, tzinfo=UTC),
]
KINDS = [
    DestinationKind.MOBILE,
    DestinationKind.LANDLINE,
    DestinationKind.WORK_PHONE,
    DestinationKind.UNKNOWN,
]
CHANNELS = [ContactChannel.VOICE, ContactChannel.SMS, ContactChannel.EMAIL]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[GateRequest, Jurisdiction, ProfileGate]:
    address, numbers = draw(st.sampled_from(PLACES))
    kind = draw(st.sampled_from(["third_party", "creditor"]))
    strict = address.country == "US" and kind == "third_party" and draw(st.booleans())
    now = draw(st.sampled_from(ANCHORS)) + timedelta(seconds=draw(st.integers(-3 * 86400, 3 * 86400)))
    channel = draw(st.sampled_from(CHANNELS))
    if channel is ContactChannel.EMAIL:
        dest_kind = draw(st.sampled_from([DestinationKind.PERSONAL_EMAIL, DestinationKind.WORK_EMAIL]))
        destination = "jo@example.com"
    else:
        dest_kind = draw(st.sampled_from(KINDS))
        destination = draw(st.sampled_from(numbers))
    caller = draw(st.sampled_from([CallerKind.HUMAN, CallerKind.AI_VOICE, CallerKind.TEXT]))
    proposal = ContactProposal(
        "p1", "d1", channel, destination, dest_kind, caller_kind=caller, address=address
    )
    history = tuple(
        PriorContact(
            at=now - timedelta(seconds=draw(st.integers(60, 40 * 86400))),
            channel=draw(st.sampled_from(CHANNELS)),
            destination=draw(st.sampled_from([*numbers, "jo@example.com"])),
            destination_kind=draw(st.sampled_from([*KINDS, DestinationKind.WORK_EMAIL])),
            debt_id=draw(st.sampled_from(["d1", "d1", "d2"])),
            connected=draw(st.booleans()),
            conversation=draw(st.integers(0, 9)) == 0,
            consumer_initiated=draw(st.integers(0, 9)) == 0,
            failed_to_connect=draw(st.integers(0, 9)) == 0,
        )
        for _ in range(draw(st.integers(0, 20)))
    )
    holds = tuple(
        HoldFact(
            kind=draw(st.sampled_from(["dispute", "cease", "bankruptcy", "attorney"])),
            debt_id=draw(st.sampled_from([None, "d1", "d2"])),
            until=draw(st.sampled_from([None, now + timedelta(hours=draw(st.integers(1, 200)))])),
        )
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0)
    )
    consents = (
        (ConsentFact(channel, destination, now - timedelta(days=10), "form"),) if draw(st.booleans()) else ()
    )
    opt_outs = (
        (OptOutFact(draw(st.sampled_from([None, channel])), None, now - timedelta(days=1)),)
        if draw(st.integers(0, 5)) == 0
        else ()
    )
    designated: tuple[InconvenientTime, ...] = ()
    if draw(st.integers(0, 3)) == 0:
        start, end = draw(st.integers(0, 23)), draw(st.integers(0, 23))
        designated = (InconvenientTime(time(start), time(end, 30)),)
    request = GateRequest(
        proposal,
        now,
        history,
        holds,
        consents,
        opt_outs,
        inconvenient_times=designated,
        phone_numbers=(numbers[0],),
    )
    nyc = address.state == "NY"
    return (
        request,
        Jurisdiction(address.country or "", address.state, kind, nyc, strict),
        GATES[(kind, strict)],
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_allow_exactly_when_the_rules_permit_and_defer_names_the_earliest_instant(
    case: tuple[GateRequest, Jurisdiction, ProfileGate],
) -> None:
    request, jurisdiction, gate = case
    decision = gate.decide(request)
    event(f"{decision.verdict} {','.join(sorted({r.rule_id for r in decision.reasons}))}")
    zones = decision.time_zones
    oracle_now = ok_at(request, jurisdiction, zones, request.now)
    assert decision.allowed == oracle_now, (decision, jurisdiction)
    if decision.verdict is Verdict.DEFER:
        assert decision.not_before is not None and decision.not_before > request.now
        later = gate.decide(replace(request, now=decision.not_before))
        assert later.allowed, later
        assert ok_at(request, jurisdiction, zones, decision.not_before)
        just_before = decision.not_before - timedelta(seconds=1)
        if just_before >= request.now:
            assert not gate.decide(replace(request, now=just_before)).allowed
            assert not ok_at(request, jurisdiction, zones, just_before)
    if decision.verdict is Verdict.DENY:
        assert decision.reasons and all(r.rule_id and r.source for r in decision.reasons)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_phone_and_address_zones_are_all_candidates(
    case: tuple[GateRequest, Jurisdiction, ProfileGate],
) -> None:
    request, _, gate = case
    decision = gate.decide(request)
    if decision.verdict is Verdict.DENY and not decision.time_zones:
        return
    for number in {request.proposal.destination, *request.phone_numbers} - {"jo@example.com"}:
        # Aliases (Asia/Calcutta) count as their zone.tab name (Asia/Kolkata): same rules, one candidate.
        expected = {canonical(z) for z in phone_tz.time_zones_for_number(phonenumbers.parse(number))}
        assert expected <= set(decision.time_zones)
    assert any(z.startswith("phone ") for z in decision.zone_inputs)
    assert any(z.startswith("address ") for z in decision.zone_inputs)
