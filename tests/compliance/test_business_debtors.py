"""A business debtor gets no consumer-protection notices (FDCPA/Reg F are for consumer debts), but keeps
what binds every call or text (TCPA): the gate is told the debtor's kind, it does not look it up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arrears.compliance.model import CallerKind, ConsentFact, ContactChannel, DestinationKind, Verdict
from tests.compliance.factories import MOBILE, NOON_NY, gate, request


def test_a_person_gets_the_consumer_notices_and_a_business_does_not() -> None:
    email: dict[str, Any] = {
        "channel": ContactChannel.EMAIL,
        "destination": "ap@example.com",
        "destination_kind": DestinationKind.PERSONAL_EMAIL,
        "caller_kind": CallerKind.TEXT,
    }
    person = gate("third_party").decide(request(**email))
    business = gate("third_party").decide(request(debtor_kind="business", **email))
    assert person.verdict is business.verdict is Verdict.ALLOW
    assert {"mini_miranda", "validation_notice"} <= set(person.disclosures)
    assert person.validation_period_end is not None
    assert business.disclosures == () and business.validation_period_end is None


def test_a_business_still_hears_that_an_artificial_voice_is_calling() -> None:
    consent = ConsentFact(ContactChannel.VOICE, MOBILE, NOON_NY - timedelta(days=30), "application")
    call: dict[str, Any] = {
        "caller_kind": CallerKind.AI_VOICE,
        "debtor_kind": "business",
        "consents": (consent,),
    }
    decision = gate("third_party").decide(request(**call))
    assert decision.verdict is Verdict.ALLOW, decision.reasons
    assert "ai_caller_identification" in decision.disclosures
    assert "mini_miranda" not in decision.disclosures
