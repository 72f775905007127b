"""`phone_zones`' fast E.164 path gives exactly phonenumbers' answer (the reference implementation).

The fast path replays phonenumbers' parse / region / type decisions from precompiled metadata; a
mistake would silently move a customer into the wrong contact window, so it is compared with the
reference on tens of thousands of numbers built from the metadata itself (every example number, their
mutations, random numbers of every length after every calling code, malformed input) plus Hypothesis.
The classification is compared too, not only the zones: zones alone would hide e.g. a toll-free number
typed as unknown (both give no zone).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.tzdata import TIMEZONE_DATA

from arrears.compliance.phone_types import NOT_A_NUMBER, classify_e164
from arrears.compliance.zones import _phone_zones_reference, phone_zones

_DESCS = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
_TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)
_CALLING_CODES = sorted(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
_MALFORMED = (
    "",
    "+",
    "+1",
    "+12",
    "+123",
    "+0",
    "+0044207946000",
    "+999123456789",
    "+8881234567",
    "16175551234",
    "+1 617 555 1234",
    "+1-617-555-1234",
    "+16175551234 ext. 12",
    "+16175551234;ext=12",
    "tel:+16175551234",
    "+1617555123x",
    "++16175551234",
    "+１６１７５５５１２３４",  # fullwidth digits: not ASCII, must go to phonenumbers
    "+١٦١٧٥٥٥١٢٣٤",  # Arabic-Indic digits
    "+1" + "2" * 40,
    "+44" + "7" * 300,
    "+4407911123456",  # national prefix after the calling code
    "+4400",
    "+33061234567",
    "+4903012345678",
    "+910987654321",
    "+11617555123",
    "+5491123456789",
    "+54091123456789",
    "+55901112345678",
    "+8100012345678",
    "+37898123",
    "+6723123",
)


def _all_metadata() -> list[tuple[int, Any]]:
    found = []
    for code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
            if metadata is not None:
                found.append((code, metadata))
    return found


def _example_numbers() -> list[str]:
    """Every example number phonenumbers ships: per region and type, and from every descriptor."""
    numbers: set[str] = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in _TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.add(phonenumbers.format_number(example, PhoneNumberFormat.E164))
    for code, metadata in _all_metadata():
        for name in ("general_desc", *_DESCS):
            desc = getattr(metadata, name)
            if desc is not None and desc.example_number:
                numbers.add(f"+{code}{desc.example_number}")
    return sorted(numbers)


def _split(number: str) -> tuple[str, str]:
    for width in (1, 2, 3):
        if number[1 : 1 + width] in _CALLING_CODES:
            return number[1 : 1 + width], number[1 + width :]
    raise AssertionError(number)


def _corpus() -> list[str]:
    rng = random.Random(20261122)
    examples = _example_numbers()
    numbers: set[str] = set(examples) | set(_MALFORMED)
    for example in examples:
        code, nsn = _split(example)
        for digit in "0123456789":
            numbers.add(example[:-1] + digit)
        for _ in range(3):
            numbers.add(example[:-3] + "".join(rng.choices("0123456789", k=3)))
        numbers.add(example[:-1])
        numbers.add(example + rng.choice("0123456789"))
        numbers.add(f"+{code}0{nsn}")
    # Every time-zone prefix, filled to the lengths its country's examples have: exercises the
    # longest-prefix walk (3,240 prefixes, most of them refining a shorter one).
    lengths: dict[str, set[int]] = {}
    for example in examples:
        code, nsn = _split(example)
        lengths.setdefault(code, set()).add(len(code) + len(nsn))
    for prefix in TIMEZONE_DATA:
        owner = next((prefix[:w] for w in (1, 2, 3) if prefix[:w] in _CALLING_CODES), "")
        for total in sorted(lengths.get(owner, ()))[-2:]:
            if total > len(prefix):
                numbers.add(f"+{prefix}" + "".join(rng.choices("0123456789", k=total - len(prefix))))
    for code in _CALLING_CODES:
        for length in range(1, 19):
            for _ in range(4):
                numbers.add(f"+{code}" + "".join(rng.choices("0123456789", k=length)))
    return sorted(numbers)


def _compare(number: str, outcomes: Counter[str], kinds: Counter[int]) -> list[str]:
    """Mismatches for one number (zones and classification); records which outcome it took."""
    problems = []
    fast = phone_zones.__wrapped__(number)
    reference = _phone_zones_reference(number)
    if fast != reference:
        problems.append(f"{number!r}: fast {fast} != reference {reference}")
    classified = classify_e164(number)
    if classified is None:
        outcomes["fallback"] += 1
        return problems
    outcomes["zones" if fast else "empty"] += 1
    head, kind = classified
    kinds[kind] += 1
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        if kind != NOT_A_NUMBER:
            problems.append(f"{number!r}: phonenumbers cannot parse it, fast typed it {kind}")
        return problems
    expected = int(phonenumbers.number_type(parsed))
    if (head, kind) != (str(parsed.country_code), expected):
        problems.append(f"{number!r}: fast {(head, kind)} != {(parsed.country_code, expected)}")
    return problems


def test_fast_path_matches_phonenumbers_on_the_metadata_corpus() -> None:
    outcomes: Counter[str] = Counter()
    kinds: Counter[int] = Counter()
    problems: list[str] = []
    corpus = _corpus()
    for number in corpus:
        problems.extend(_compare(number, outcomes, kinds))
    assert not problems, f"{len(problems)} mismatches, e.g. {problems[:10]}"
    assert len(corpus) > 30_000
    # The comparison means something only if every outcome was exercised, on the fast path.
    assert outcomes["zones"] > 5_000 and outcomes["empty"] > 5_000 and outcomes["fallback"] > 100
    for kind in (*_TYPES, PhoneNumberType.UNKNOWN):
        assert kinds[int(kind)] > 0, f"type {kind} never produced by the fast path"
    assert kinds[NOT_A_NUMBER] > 100


def test_portfolio_numbers_take_the_fast_path() -> None:
    """The numbers we actually store must not fall back (else the speed-up would be illusory)."""
    for number in ("+16175551234", "+14165550123", "+447911123456", "+442079460000", "+4930123456"):
        assert classify_e164(number) is not None
    for number in ("+919876543210", "+33612345678", "+33142685300", "+18005551234"):
        assert classify_e164(number) is not None
    assert phone_zones("+16175551234") == ("America/New_York",)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_CALLING_CODES), st.text(alphabet="0123456789", max_size=18))
def test_random_numbers_after_a_known_calling_code(code: str, rest: str) -> None:
    number = f"+{code}{rest}"
    assert _compare(number, Counter(), Counter()) == []


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A\+?[0-9]{0,22}\Z") | st.text(alphabet="+0123456789 -()x#;١", max_size=20))
def test_random_e164_shaped_strings(number: str) -> None:
    assert _compare(number, Counter(), Counter()) == []
