"""The gate's parts: profile loading and merging, zones, DST handling, keywords, dates, formatters, CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.compliance.dnc import parse_dnc
from arrears.compliance.keywords import detect_revocation, is_revocation, looks_like_revocation
from arrears.compliance.model import Address, Verdict
from arrears.compliance.policy import Policy
from arrears.compliance.profiles import ProfileError, ProfileRegistry, parse_profile
from arrears.compliance.report import format_decisions, format_rules
from arrears.compliance.validation import assumed_receipt_date, validation_notice_due, validation_period_end
from arrears.compliance.windows import WindowSpec, earliest_open, first_instant, is_open
from arrears.compliance.zones import address_zones, phone_zones
from tests.compliance.factories import NOON_NY, gate, request


def test_bad_profile_names_the_file_and_field() -> None:
    with pytest.raises(ProfileError, match=r"us-xx.yaml: caps.0.max_contacts"):
        text = "name: us-xx\ncaps: [{id: us.x.y, source: ss, max_contacts: -1, days: 7}]"
        parse_profile(text, "us-xx.yaml")
    with pytest.raises(ProfileError, match=r"bad.yaml: windws"):
        parse_profile("name: bad\nwindws: []", "bad.yaml")
    with pytest.raises(ProfileError, match=r"open must be before close"):
        parse_profile("name: w\nwindows: [{id: a.b.c, source: ss, open: '21:00', close: '08:00'}]", "w.yaml")


def test_merge_is_strictest_wins() -> None:
    one = parse_profile(
        "name: one\nwindows: [{id: x.y.z, source: aa, open: '08:00', close: '21:00'}]\n"
        "caps: [{id: c.a.p, source: aa, max_contacts: 7, days: 7}]",
        "one",
    )
    two = parse_profile(
        "name: two\nwindows: [{id: x.y.z, source: bb, open: '07:30', close: '20:00'}]\n"
        "caps: [{id: c.a.p, source: bb, max_contacts: 3, days: 5, per_debt: false}]",
        "two",
    )
    policy = Policy([one, two])
    (window,) = policy.windows
    assert (window.open, window.close) == (8 * 3600, 20 * 3600)
    (cap,) = policy.caps
    assert (cap.max_contacts, cap.days, cap.per_debt) == (3, 7, False)


def test_unknown_include_and_cycles_are_refused() -> None:
    with pytest.raises(ProfileError, match="unknown profile"):
        ProfileRegistry([parse_profile("name: a\nincludes: [nope]", "a")])
    registry = ProfileRegistry(
        [parse_profile("name: a\nincludes: [b]", "a"), parse_profile("name: b\nincludes: [a]", "b")]
    )
    with pytest.raises(ProfileError, match="cycle"):
        registry.expand(["a"])


def test_zones_from_address_and_phone() -> None:
    assert address_zones(Address("US", "FL", postal_code="32501")) == ("America/Chicago",)
    assert address_zones(Address("US", "FL")) == ("America/Chicago", "America/New_York")
    assert address_zones(Address("US", "TN", postal_code="37902")) == ("America/New_York",)
    assert address_zones(Address("GB")) == ("Europe/London",)
    assert address_zones(Address("US", "ZZ")) == ()
    assert phone_zones("+16175550100") == ("America/New_York",)
    assert phone_zones("+18005550100") == ()  # toll-free says nothing about where the person is


def test_overlap_of_new_york_and_los_angeles_is_11_to_21_eastern() -> None:
    spec = WindowSpec(8 * 3600, 21 * 3600)
    zones = ("America/Los_Angeles", "America/New_York")
    at_0900_et = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
    assert not is_open(spec, zones, at_0900_et)
    assert earliest_open(spec, zones, at_0900_et) == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)


def test_dst_gap_resolves_to_the_transition() -> None:
    # 2026-03-08 02:30 does not exist in New York; the first instant at or after it is 03:00 EDT = 07:00 UTC.
    assert first_instant(date(2026, 3, 8), 2 * 3600 + 1800, "America/New_York") == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    assert first_instant(date(2026, 3, 8), 8 * 3600, "America/New_York") == datetime(
        2026, 3, 8, 12, 0, tzinfo=UTC
    )
    assert first_instant(date(2026, 3, 7), 8 * 3600, "America/New_York") == datetime(
        2026, 3, 7, 13, 0, tzinfo=UTC
    )


def test_revocation_keywords() -> None:
    for text in ("STOP", "stop please", "Unsubscribe", "opt-out", "STOPALL", "quit texting me"):
        assert is_revocation(text), text
    assert detect_revocation("stop calling") is not None
    assert detect_revocation("stop calling").medium == "voice"  # type: ignore[union-attr]
    assert not is_revocation("I can't stop worrying about this bill")
    assert looks_like_revocation("I can't stop worrying about this bill")
    assert not looks_like_revocation("when is my payment due?")


def test_validation_dates_skip_weekends_and_federal_holidays() -> None:
    assert assumed_receipt_date(date(2026, 11, 20)) == date(2026, 11, 30)  # Thanksgiving and a weekend
    assert validation_period_end(date(2026, 11, 20)) == date(2026, 12, 30)
    assert validation_notice_due(date(2026, 11, 20)) == date(2026, 11, 25)


def test_first_contact_carries_the_validation_end_date() -> None:
    decision = gate().decide(request())
    assert decision.verdict is Verdict.ALLOW
    assert decision.validation_period_end == validation_period_end(NOON_NY.date())
    assert decision.to_json()["validation_period_end"] == decision.validation_period_end.isoformat()


def test_dnc_parser_normalises() -> None:
    assert parse_dnc("destination\n+1 (617) 555-0100\n# note\nJo@Example.com,added 2026\n") == {
        "+16175550100",
        "jo@example.com",
    }


def test_formatters_show_ids_sources_and_times() -> None:
    registry = ProfileRegistry.builtin()
    text = format_rules(registry.policy(("us", "us-ma", "us-third-party")))
    assert "us.ma.frequency" in text and "940 CMR 7.04(1)(f)" in text and "08:00-21:00" in text
    decision = gate().decide(request(NOON_NY.replace(hour=3)))
    table = format_decisions([(NOON_NY, "voice +16175550100", decision)])
    assert "defer" in table and "us.regf.inconvenient_time" in table
    assert decision.not_before is not None and decision.not_before.isoformat() in table


def test_cli_prints_the_rule_table() -> None:
    result = CliRunner().invoke(
        app, ["compliance", "rules", "--country", "US", "--state", "WA", "--collector-kind", "third_party"]
    )
    assert result.exit_code == 0, result.output
    assert "us.wa.frequency" in result.output and "max 3 in 7 days" in result.output
    bad = CliRunner().invoke(app, ["compliance", "rules", "--profile", "nope"])
    assert bad.exit_code == 2


def test_unknown_time_inputs_fail_closed() -> None:
    decision = gate().decide(
        request(address=Address("US"), destination="+18005550100", recorded_time_zone="Mars/Base")
    )
    # An unknown state still yields every US zone; only with nothing at all is contact refused.
    assert decision.time_zones
    none = gate().decide(request(address=Address("US", "ZZ"), destination="+18005550100"))
    assert none.verdict is Verdict.DENY and none.reasons[0].rule_id == "us.regf.ambiguous_timezone"
    assert any("invalid" in i for i in decision.zone_inputs)


@pytest.mark.parametrize(
    ("state", "verdict"), [(None, Verdict.DEFER), ("ENG", Verdict.DEFER), ("SCT", Verdict.ALLOW)]
)
def test_uk_address_without_a_nation_gets_englands_bank_holidays(state: str | None, verdict: Verdict) -> None:
    """Easter Monday 2027 is a bank holiday in England, not in Scotland; London addresses rarely say ENG."""
    easter_monday = datetime(2027, 3, 29, 12, 0, tzinfo=UTC)
    london = Address("GB", state, "London", "SW1A 1AA")
    decision = gate().decide(request(easter_monday, address=london, destination="+447911123456"))
    assert decision.verdict is verdict


def test_defer_reasons_are_written_on_demand_and_stay_the_same() -> None:
    """Reasons of a defer are formatted when read (the hot path never reads them), then kept."""
    night = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # 22:00 in New York the evening before
    decision = gate().decide(request(night))
    assert decision.verdict is Verdict.DEFER
    first = decision.reasons
    assert first is decision.reasons  # computed once
    assert [r.rule_id for r in first] == ["us.regf.inconvenient_time"]
    assert "22:00 in America/New_York" in first[0].message
    reasons = decision.to_json()["reasons"]
    assert isinstance(reasons, list) and reasons[0]["rule_id"] == "us.regf.inconvenient_time"
    assert decision == gate().decide(request(night))  # equal by value, like any Decision
