"""One case per rule id: the rule refuses (or defers, or adds its disclosure) with its id and source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from arrears.compliance.model import (
    Address,
    CallerKind,
    ConsentFact,
    ContactChannel,
    Decision,
    DestinationKind,
    DirectConsentFact,
    DoNotContactEntry,
    GateRequest,
    HoldFact,
    InconvenientPlace,
    InconvenientTime,
    OptOutFact,
    Purpose,
    Verdict,
)
from tests.compliance.factories import MOBILE, NOON_NY, call, calls, gate, request

# Every rule id RULES.md lists that a contact decision can cite, plus the house (arrears.*) rules.
RULES_MD_IDS = {
    "us.regf.call_frequency",
    "us.regf.inconvenient_time",
    "us.regf.ambiguous_timezone",
    "us.regf.place",
    "us.regf.medium_stop",
    "us.regf.eoptout",
    "us.regf.work_email",
    "us.regf.validation_notice",
    "us.regf.dispute_hold",
    "us.regf.cease",
    "us.regf.attorney",
    "us.regf.time_barred",
    "us.regf.third_party",
    "us.regf.limited_content",
    "us.regf.mini_miranda",
    "us.tcpa.consent",
    "us.tcpa.revocation",
    "us.fl.hours",
    "us.ma.frequency",
    "us.wa.frequency",
    "us.ca.rosenthal",
    "us.nyc.language",
    "uk.fca.forbearance",
    "uk.fca.contact",
    "uk.fca.vulnerability",
    "in.rbi.hours",
}
# RULES.md rows the gate does not decide per contact: shipped as `obligations` and listed by `rules`.
OBLIGATION_IDS = {"uk.ofcom.abandoned", "in.trai.dnd", "in.dpdp.basis", "eu.gdpr.basis", "eu.gdpr.erasure",
                  "pci.card_data"}  # fmt: skip
BERLIN = Address("DE", "BE", "Berlin", "10115")

TX = Address("US", "TX", "Austin", "78701")
SEATTLE = Address("US", "WA", "Seattle", "98101")
MIAMI = Address("US", "FL", "Miami", "33101")
LONDON = Address("GB", "ENG", "London", "SW1A 1AA")
MUMBAI = Address("IN", "MH", "Mumbai", "400001")
UK_MOBILE = "+447911123456"
IN_MOBILE = "+919820012345"
LA_MOBILE = "+12135550100"
WA_MOBILE = "+12065550100"
MIAMI_MOBILE = "+13055550100"
WED_NOON_LONDON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
WED_NOON_INDIA = datetime(2026, 11, 18, 6, 30, tzinfo=UTC)


def consent(channel: ContactChannel = ContactChannel.VOICE, dest: str = MOBILE) -> ConsentFact:
    return ConsentFact(channel, dest, NOON_NY - timedelta(days=30), "application form")


Case = tuple[str, str, Callable[[], GateRequest], Verdict]

CASES: list[Case] = [
    (
        "arrears.fail_closed",
        "third_party",
        lambda: request(
            address=Address("BR"), destination="+5511987654321", recorded_time_zone="America/Sao_Paulo"
        ),
        Verdict.DENY,
    ),
    (
        "arrears.customer_request",
        "third_party",
        lambda: request(
            WED_NOON_INDIA,
            address=MUMBAI,
            destination=IN_MOBILE,
            inconvenient_times=(InconvenientTime(time(11, 0), time(13, 0)),),
        ),
        Verdict.DEFER,
    ),
    (
        "arrears.do_not_contact",
        "third_party",
        lambda: request(do_not_contact=(DoNotContactEntry("+1 617 555 0100"),)),
        Verdict.DENY,
    ),
    ("arrears.hold", "third_party", lambda: request(holds=(HoldFact("bankruptcy"),)), Verdict.DENY),
    ("arrears.cease", "creditor", lambda: request(holds=(HoldFact("cease"),)), Verdict.DENY),
    ("arrears.hold_answerable", "creditor", lambda: request(holds=(HoldFact("hardship"),)), Verdict.DENY),
    (
        "arrears.opt_out",
        "third_party",
        lambda: request(
            WED_NOON_INDIA,
            address=MUMBAI,
            destination=IN_MOBILE,
            opt_outs=(OptOutFact(None, None, NOON_NY - timedelta(days=1)),),
        ),
        Verdict.DENY,
    ),
    ("arrears.marketing_consent", "third_party", lambda: request(purpose=Purpose.MARKETING), Verdict.DENY),
    (
        "us.regf.ambiguous_timezone",
        "third_party",
        lambda: request(address=Address("US", "ZZ"), destination="+18005550100"),
        Verdict.DENY,
    ),
    ("us.regf.inconvenient_time", "third_party", lambda: request(NOON_NY.replace(hour=2)), Verdict.DEFER),
    (
        "us.regf.place",
        "third_party",
        lambda: request(
            destination_kind=DestinationKind.WORK_PHONE,
            inconvenient_places=(
                InconvenientPlace(destination_kind=DestinationKind.WORK_PHONE, reason="employer"),
            ),
        ),
        Verdict.DENY,
    ),
    (
        "us.regf.medium_stop",
        "third_party",
        lambda: request(
            opt_outs=(OptOutFact(ContactChannel.VOICE, None, NOON_NY - timedelta(hours=1), "medium_stop"),)
        ),
        Verdict.DENY,
    ),
    ("us.tcpa.consent", "creditor", lambda: request(caller_kind=CallerKind.AI_VOICE), Verdict.DENY),
    (
        "us.tcpa.revocation",
        "creditor",
        lambda: request(
            channel=ContactChannel.SMS,
            caller_kind=CallerKind.TEXT,
            consents=(consent(ContactChannel.SMS),),
            opt_outs=(OptOutFact(ContactChannel.SMS, MOBILE, NOON_NY - timedelta(hours=1), "revocation"),),
        ),
        Verdict.DENY,
    ),
    (
        "us.regf.call_frequency",
        "third_party",
        lambda: request(
            address=TX,
            destination="+15125550100",
            history=calls(7, NOON_NY - timedelta(days=3), destination="+15125550100"),
        ),
        Verdict.DEFER,
    ),
    (
        "us.regf.work_email",
        "third_party",
        lambda: request(
            channel=ContactChannel.EMAIL,
            destination="jo@employer.example",
            destination_kind=DestinationKind.WORK_EMAIL,
        ),
        Verdict.DENY,
    ),
    (
        "us.regf.attorney",
        "third_party",
        lambda: request(holds=(HoldFact("attorney", debt_id="d1"),)),
        Verdict.DENY,
    ),
    ("us.regf.dispute_hold", "third_party", lambda: request(holds=(HoldFact("dispute"),)), Verdict.DENY),
    ("us.regf.cease", "third_party", lambda: request(holds=(HoldFact("cease"),)), Verdict.DENY),
    (
        "us.ma.frequency",
        "creditor",
        lambda: request(history=calls(2, NOON_NY - timedelta(days=2), channel=ContactChannel.SMS)),
        Verdict.DEFER,
    ),
    (
        "us.wa.frequency",
        "third_party",
        lambda: request(
            address=SEATTLE,
            phone_numbers=(WA_MOBILE,),
            channel=ContactChannel.EMAIL,
            destination="jo@home.example",
            destination_kind=DestinationKind.PERSONAL_EMAIL,
            history=calls(
                3,
                NOON_NY - timedelta(days=2),
                channel=ContactChannel.EMAIL,
                destination="jo@home.example",
                destination_kind=DestinationKind.PERSONAL_EMAIL,
                debt_id="d2",
            ),
        ),
        Verdict.DEFER,
    ),
    (
        "us.fl.hours",
        "creditor",
        lambda: request(
            NOON_NY.replace(hour=3),
            address=MIAMI,
            destination=MIAMI_MOBILE,
            channel=ContactChannel.SMS,
            caller_kind=CallerKind.TEXT,
            consents=(consent(ContactChannel.SMS, MIAMI_MOBILE),),
        ),
        Verdict.DEFER,
    ),
    (
        "uk.fca.contact",
        "third_party",
        lambda: request(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), address=LONDON, destination=UK_MOBILE),
        Verdict.DEFER,
    ),
    (
        "arrears.eu_window",
        "third_party",
        lambda: request(
            datetime(2026, 11, 22, 12, 0, tzinfo=UTC), address=BERLIN, destination="+4915112345678"
        ),
        Verdict.DEFER,
    ),
    (
        "uk.fca.vulnerability",
        "third_party",
        lambda: request(
            WED_NOON_LONDON, address=LONDON, destination=UK_MOBILE, holds=(HoldFact("vulnerable"),)
        ),
        Verdict.DENY,
    ),
    (
        "uk.fca.forbearance",
        "third_party",
        lambda: request(
            WED_NOON_LONDON, address=LONDON, destination=UK_MOBILE, holds=(HoldFact("hardship"),)
        ),
        Verdict.DENY,
    ),
    (
        "in.rbi.hours",
        "third_party",
        lambda: request(datetime(2026, 11, 18, 14, 0, tzinfo=UTC), address=MUMBAI, destination=IN_MOBILE),
        Verdict.DEFER,
    ),
]


@pytest.mark.parametrize(("rule_id", "kind", "build", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_rule_refuses_with_its_id_and_source(
    rule_id: str, kind: str, build: Callable[[], GateRequest], verdict: Verdict
) -> None:
    decision = gate(kind).decide(build())
    assert decision.verdict is verdict, decision
    cited = {r.rule_id: r for r in decision.reasons}
    assert rule_id in cited, decision.reasons
    assert cited[rule_id].source and cited[rule_id].message


DISCLOSURES: list[tuple[str, str, Callable[[], GateRequest], str]] = [
    ("us.regf.mini_miranda", "third_party", lambda: request(), "mini_miranda"),
    (
        "us.regf.mini_miranda",
        "third_party",
        lambda: request(history=(call(NOON_NY - timedelta(days=9), connected=True),)),
        "from_a_debt_collector",
    ),
    ("us.regf.validation_notice", "third_party", lambda: request(), "validation_notice"),
    ("us.regf.limited_content", "third_party", lambda: request(), "limited_content_voicemail"),
    ("us.regf.third_party", "third_party", lambda: request(), "right_party_verification"),
    (
        "us.regf.eoptout",
        "third_party",
        lambda: request(
            channel=ContactChannel.EMAIL,
            destination="jo@home.example",
            destination_kind=DestinationKind.PERSONAL_EMAIL,
        ),
        "list_unsubscribe",
    ),
    (
        "us.tcpa.consent",
        "creditor",
        lambda: request(caller_kind=CallerKind.AI_VOICE, consents=(consent(),)),
        "ai_caller_identification",
    ),
    (
        "us.nyc.language",
        "creditor",
        lambda: request(address=Address("US", "NY", "Brooklyn", "11201"), destination="+17185550100"),
        "nyc_language_access",
    ),
    (
        "us.regf.time_barred",
        "creditor",
        lambda: request(
            NOON_NY + timedelta(hours=4),
            address=Address("US", "CA", "Los Angeles", "90012"),
            destination=LA_MOBILE,
            time_barred=True,
        ),
        "time_barred_notice_ca",
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "kind", "build", "disclosure"), DISCLOSURES, ids=[d[3] for d in DISCLOSURES]
)
def test_disclosure_rules_add_their_disclosure(
    rule_id: str, kind: str, build: Callable[[], GateRequest], disclosure: str
) -> None:
    decision = gate(kind).decide(build())
    assert decision.verdict is Verdict.ALLOW, decision
    assert disclosure in decision.disclosures
    policy = gate(kind).policy_for(build().proposal.address)
    assert policy is not None and policy.disclosures[disclosure].rule_id == rule_id


def test_every_rule_id_in_the_shipped_profiles_is_from_rules_md_and_covered_here() -> None:
    registry = gate().registry
    used: set[str] = set()
    for name in registry.names():
        f = registry.get(name)
        refs = [
            f.unknown_zone,
            f.inconvenient_time,
            f.inconvenient_place,
            f.do_not_contact,
            f.revocation_keywords,
        ]
        used |= {r.id for r in refs if r is not None}
        for group in (
            f.windows,
            f.holidays,
            f.caps,
            f.quiet,
            f.consent,
            f.holds,
            f.destinations,
            f.opt_outs,
            f.purpose_consent,
        ):
            used |= {r.id for r in group}
        used |= {d.rule_id for d in f.disclosures}
        assert {o.id for o in f.obligations} <= OBLIGATION_IDS
    assert {u for u in used if not u.startswith("arrears.")} <= RULES_MD_IDS
    covered = {c[0] for c in CASES} | {d[0] for d in DISCLOSURES}
    assert used - covered == set()


def test_cease_lets_the_confirmation_through() -> None:
    decision = gate().decide(request(holds=(HoldFact("cease"),), purpose=Purpose.CEASE_CONFIRMATION))
    assert decision.verdict is Verdict.ALLOW


@pytest.mark.parametrize("kind", ["third_party", "creditor"])
def test_an_answer_to_the_customers_own_words_passes_a_dispute_hold_not_an_attorney_hold(kind: str) -> None:
    answer = Purpose.REPLY
    assert gate(kind).decide(request(holds=(HoldFact("dispute"),), purpose=answer)).verdict is Verdict.ALLOW
    assert gate(kind).decide(request(holds=(HoldFact("dispute"),))).verdict is Verdict.DENY
    assert gate(kind).decide(request(holds=(HoldFact("attorney"),), purpose=answer)).verdict is Verdict.DENY
    assert gate(kind).decide(request(holds=(HoldFact("bankruptcy"),), purpose=answer)).verdict is Verdict.DENY


def test_an_answer_to_the_customers_own_text_needs_no_consent_record_but_a_collection_text_does() -> None:
    sms, text = ContactChannel.SMS, CallerKind.TEXT
    reply = request(purpose=Purpose.REPLY, channel=sms, caller_kind=text)
    assert gate("creditor").decide(reply).verdict is Verdict.ALLOW
    refused = gate("creditor").decide(request(channel=sms, caller_kind=text))
    assert refused.verdict is Verdict.DENY and refused.reasons[0].rule_id == "us.tcpa.consent"


def test_one_opt_out_confirmation_then_none() -> None:
    stop = OptOutFact(ContactChannel.SMS, MOBILE, NOON_NY - timedelta(minutes=5), "revocation")
    base: dict[str, Any] = {
        "channel": ContactChannel.SMS,
        "caller_kind": CallerKind.TEXT,
        "purpose": Purpose.OPT_OUT_CONFIRMATION,
        "opt_outs": (stop,),
    }
    assert gate("creditor").decide(request(**base)).verdict is Verdict.ALLOW
    sent = call(NOON_NY - timedelta(minutes=4), channel=ContactChannel.SMS)
    again = gate("creditor").decide(request(history=(sent,), **base))
    assert again.verdict is Verdict.DENY
    assert again.reasons[0].rule_id == "us.tcpa.revocation"


def test_consent_lets_the_ai_call_through_and_revocation_stops_it() -> None:
    granted = consent()
    assert gate("creditor").decide(request(caller_kind=CallerKind.AI_VOICE, consents=(granted,))).allowed
    revoked = ConsentFact(
        granted.channel, granted.destination, granted.granted_at, "form", NOON_NY - timedelta(1)
    )
    assert not gate("creditor").decide(request(caller_kind=CallerKind.AI_VOICE, consents=(revoked,))).allowed


def test_work_email_passes_with_the_consumers_consent() -> None:
    work: dict[str, Any] = {
        "channel": ContactChannel.EMAIL,
        "destination": "jo@employer.example",
        "destination_kind": DestinationKind.WORK_EMAIL,
    }
    given = ConsentFact(
        ContactChannel.EMAIL, "Jo@Employer.example", NOON_NY - timedelta(days=2), "consumer email"
    )
    assert gate().decide(request(consents=(given,), **work)).allowed


def test_quiet_period_after_a_conversation_counts_the_conversation_day_as_day_one() -> None:
    talked = call(
        datetime(2026, 11, 16, 20, 0, tzinfo=UTC), conversation=True, connected=True
    )  # Mon 15:00 ET
    decision = gate().decide(request(address=TX, destination="+15125550100", history=(talked,)))
    assert decision.verdict is Verdict.DEFER
    # Day 1 = Monday 16th; days 1-7 end Sunday 22nd; first call Monday 23rd 08:00 Central (the later zone).
    assert decision.not_before == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_direct_consent_lifts_the_call_cap() -> None:
    history = calls(7, NOON_NY - timedelta(days=3))
    ok = DirectConsentFact(NOON_NY - timedelta(days=1))
    assert (
        gate()
        .decide(request(address=TX, destination="+15125550100", history=history, direct_consents=(ok,)))
        .allowed
    )


def test_ma_other_numbers_cap_is_thirty_days() -> None:
    work: dict[str, Any] = {"destination": "+16175550199", "destination_kind": DestinationKind.WORK_PHONE}
    history = calls(2, NOON_NY - timedelta(days=20), **work)
    decision = gate("creditor").decide(request(history=history, **work))
    assert decision.verdict is Verdict.DEFER
    assert [r.rule_id for r in decision.reasons] == ["us.ma.frequency"]


def test_wa_window_merges_to_the_stricter_reg_f_opening() -> None:
    at_0745 = datetime(2026, 11, 18, 15, 45, tzinfo=UTC)  # 07:45 Pacific
    decision: Decision = gate().decide(request(at_0745, address=SEATTLE, destination=WA_MOBILE))
    assert decision.verdict is Verdict.DEFER
    assert decision.not_before == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
