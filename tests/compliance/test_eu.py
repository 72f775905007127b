"""EU/EEA customers: a configurable house window, not a refusal; GDPR rows listed; overlays by ISO code."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import Address, CallerKind, ContactChannel, DestinationKind, Purpose, Verdict
from arrears.compliance.profiles import ProfileRegistry, TenantSettings, parse_profile
from arrears.compliance.report import format_rules
from arrears.compliance.zones import canonical, find_zones
from tests.compliance.factories import gate, request

BERLIN = Address("DE", "BE", "Berlin", "10115")
DE_MOBILE = "+4915112345678"
# 2026-11-18 is a Wednesday; Berlin is UTC+1 in November.
WED = datetime(2026, 11, 18, tzinfo=UTC)


def berlin(now: datetime, **changes: object) -> Verdict:
    decision = gate().decide(
        request(now, address=BERLIN, destination=DE_MOBILE, channel=ContactChannel.SMS, **changes)
    )
    return decision.verdict


def test_german_customers_resolve_to_the_eu_profile_not_a_refusal() -> None:
    registry = ProfileRegistry.builtin()
    assert registry.resolve(BERLIN, "third_party") == ("eu",)
    assert registry.resolve(Address("FR"), "creditor") == ("eu",)
    assert registry.resolve(Address("NO"), "creditor") == ("eu",)  # EEA: GDPR applies
    assert registry.resolve(Address("BR"), "creditor") is None


def test_house_window_is_eight_to_eight_local_with_exact_edges() -> None:
    assert berlin(WED.replace(hour=6, minute=59, second=59)) is Verdict.DEFER  # 07:59:59 local
    assert berlin(WED.replace(hour=7)) is Verdict.ALLOW  # 08:00 local
    assert berlin(WED.replace(hour=18, minute=59, second=59)) is Verdict.ALLOW
    decision = gate().decide(
        request(WED.replace(hour=19), address=BERLIN, destination=DE_MOBILE, channel=ContactChannel.SMS)
    )
    assert decision.verdict is Verdict.DEFER
    assert decision.not_before == datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
    assert {r.rule_id for r in decision.reasons} == {"arrears.eu_window"}


def test_no_sundays_and_no_public_holidays_of_the_region() -> None:
    sunday = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    assert berlin(sunday) is Verdict.DEFER
    # 8 March is a public holiday in Berlin only (Internationaler Frauentag); 2027-03-08 is a Monday.
    frauentag = datetime(2027, 3, 8, 11, 0, tzinfo=UTC)
    decision = gate().decide(
        request(frauentag, address=BERLIN, destination=DE_MOBILE, channel=ContactChannel.SMS)
    )
    assert decision.verdict is Verdict.DEFER
    assert decision.not_before == datetime(2027, 3, 9, 7, 0, tzinfo=UTC)
    hamburg = Address("DE", "HH", "Hamburg", "20095")
    other = gate().decide(
        request(frauentag, address=hamburg, destination=DE_MOBILE, channel=ContactChannel.SMS)
    )
    assert other.verdict is Verdict.ALLOW


def test_letters_have_no_hours_and_fact_rules_still_apply() -> None:
    letter = request(
        WED.replace(hour=23),
        address=BERLIN,
        destination="Berlin 10115",
        channel=ContactChannel.LETTER,
        destination_kind=DestinationKind.POSTAL,
    )
    assert gate().decide(letter).verdict is Verdict.ALLOW


def test_tenant_can_narrow_the_house_window() -> None:
    tenant = TenantSettings.model_validate(
        {
            "overrides": {
                "name": "tenant",
                "windows": [
                    {"id": "arrears.eu_window", "source": "our policy", "open": "09:00", "close": "18:00"}
                ],
            }
        }
    )
    narrowed = ProfileGate(tenant=tenant)
    at_830 = request(WED.replace(hour=7, minute=30), address=BERLIN, destination=DE_MOBILE)
    assert narrowed.decide(at_830).verdict is Verdict.DEFER
    assert narrowed.decide(at_830).not_before == WED.replace(hour=8)


def test_a_country_overlay_named_by_iso_code_is_picked_up(tmp_path: Path) -> None:
    (tmp_path / "de.yaml").write_text(
        "name: de\nwindows:\n  - {id: de.test, source: counsel, open: '09:00', close: '19:00'}\n",
        encoding="utf-8",
    )
    registry = ProfileRegistry.builtin((tmp_path,))
    assert registry.resolve(BERLIN, "third_party") == ("eu", "de")
    key = (ContactChannel.SMS, DestinationKind.MOBILE, CallerKind.TEXT, Purpose.COLLECTION, False)
    rules = registry.policy(("eu", "de")).for_contact(key)
    assert (rules.window_open, rules.window_close) == (9 * 3600, 19 * 3600)  # both apply: the overlap


def test_gdpr_rows_are_listed_as_data_with_who_enforces_them() -> None:
    text = format_rules(ProfileRegistry.builtin().policy(("eu",)))
    assert "eu.gdpr.basis" in text and "GDPR Art. 5, 6, 21" in text
    assert "eu.gdpr.erasure" in text and "Art. 17(3), 18" in text
    assert "not a statutory figure" in text


def test_obligation_entries_are_validated() -> None:
    bad = "name: x\nobligations:\n  - {id: eu.gdpr.basis, source: GDPR}\n"
    try:
        parse_profile(bad, "x.yaml")
    except ValueError as exc:
        assert "requirement" in str(exc)
    else:
        raise AssertionError("an obligation without its requirement must not load")


def test_zone_aliases_count_once() -> None:
    assert canonical("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical("Europe/Zurich") == "Europe/Zurich"  # a zone.tab name stays itself
    mumbai = find_zones(Address("IN", "MH", "Mumbai", "400001"), "Asia/Kolkata", "+919820012345", ())
    assert mumbai.zones == ("Asia/Kolkata",)
