"""Fast, exact time-zone lookup for E.164 numbers: phonenumbers' own answer without its per-call overhead.

`phone_zones` runs on first sight of every customer; phonenumbers' `parse` + `number_type` cost 30-40 us
a number (about 180 us under the planner's profiler), mostly Python-level descriptor checks (about 20 per
number, each a regex-cache lookup, a possible-length check and a match). This module replays the same
decisions from the same metadata, compiled once per (region, national-number length) into one regex
whose ordered alternatives follow `_number_type_helper`'s order, so a number costs one or two regex
matches and a few dict lookups.

Scope is deliberately narrow: `+` followed by ASCII digits (what our database stores). Anything whose
handling would need more of `parse` than is replicated here (a national prefix that parse might strip, an
odd input) returns None and the caller uses phonenumbers itself, so results are identical by construction
or by fallback. Replicated from phonenumbers (read in 9.0.43; tests/compliance/test_phone_zones_fast.py
checks it against the installed version): `parse` (country code extraction, NSN length limits),
`region_code_for_number` / `_region_code_for_number_from_list`, `_number_type_helper` /
`_is_number_matching_desc`, `is_number_type_geographical`, and the prefix walks of
`time_zones_for_geographical_number` and `_country_level_time_zones_for_number`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

UNKNOWN: Final[int] = int(PhoneNumberType.UNKNOWN)
FIXED_LINE: Final[int] = int(PhoneNumberType.FIXED_LINE)
MOBILE: Final[int] = int(PhoneNumberType.MOBILE)
FIXED_LINE_OR_MOBILE: Final[int] = int(PhoneNumberType.FIXED_LINE_OR_MOBILE)
NOT_A_NUMBER: Final[int] = -1  # classify_e164: phonenumbers.parse would raise

# `_number_type_helper`'s order: the first matching descriptor decides the type.
_ORDERED_TYPES: Final[tuple[tuple[str, int], ...]] = (
    ("premium_rate", int(PhoneNumberType.PREMIUM_RATE)),
    ("toll_free", int(PhoneNumberType.TOLL_FREE)),
    ("shared_cost", int(PhoneNumberType.SHARED_COST)),
    ("voip", int(PhoneNumberType.VOIP)),
    ("personal_number", int(PhoneNumberType.PERSONAL_NUMBER)),
    ("pager", int(PhoneNumberType.PAGER)),
    ("uan", int(PhoneNumberType.UAN)),
    ("voicemail", int(PhoneNumberType.VOICEMAIL)),
)
# is_number_type_geographical: mobiles are geographic only in these calling codes (kept as digits).
_GEO_MOBILE_CODES: Final[frozenset[str]] = frozenset(
    str(c) for c in phonenumbers.phonenumberutil._GEO_MOBILE_COUNTRIES
)
_MIN_NSN: Final[int] = 2  # phonenumberutil._MIN_LENGTH_FOR_NSN
_MAX_NSN: Final[int] = 17  # phonenumberutil._MAX_LENGTH_FOR_NSN
_MAX_FAST_INPUT: Final[int] = 32  # longer input is handled by phonenumbers (it rejects it anyway)
_UNKNOWN_ZONES: Final[tuple[str, ...]] = ("Etc/Unknown",)
_NON_GEO_REGION: Final[str] = "001"


def _desc_pattern(desc: Any, length: int) -> str | None:
    """The pattern `_is_number_matching_desc` would apply to a national number of this length, or None.

    None means the descriptor can never match at this length: absent, an empty pattern (which
    `_match_national_number` treats as no match), or a length outside its possible lengths.
    """
    if desc is None:
        return None
    pattern = desc.national_number_pattern
    if pattern is None or len(pattern) == 0:
        return None
    lengths = desc.possible_length
    if len(lengths) > 0 and length not in lengths:
        return None
    return str(pattern)


_FIXED_LINE_MAYBE_MOBILE: Final[int] = -2  # marker type: fixed line, FLOM if mobile matches too


@dataclass(frozen=True, slots=True)
class _Combined:
    """One compiled regex deciding a region's type for one NSN length; group name -> number type."""

    pattern: re.Pattern[str]
    types: dict[str, int]
    mobile: re.Pattern[str] | None  # for a fixed-line match: is it also mobile (FIXED_LINE_OR_MOBILE)?


def _combine(metadata: Any, length: int) -> _Combined | None:
    """`_number_type_helper` for one length as one regex: general desc as a lookahead, then alternatives.

    Each alternative is a descriptor's pattern anchored at the end and followed by an empty marker group;
    regex alternation tries alternatives left to right and takes the first that matches the whole
    number, which is the helper's "first matching descriptor wins". Descriptors whose possible lengths
    exclude `length` are left out, as `_is_number_matching_desc` skips them. A fixed-line match is
    checked against the mobile pattern afterwards (FIXED_LINE_OR_MOBILE), so the long fixed-line
    pattern is tried once. None: always UNKNOWN.
    """
    general = _desc_pattern(metadata.general_desc, length)
    if general is None:
        return None
    alternatives: list[tuple[str, int]] = []
    for name, kind in _ORDERED_TYPES:
        pattern = _desc_pattern(getattr(metadata, name), length)
        if pattern is not None:
            alternatives.append((pattern, kind))
    fixed = _desc_pattern(metadata.fixed_line, length)
    mobile = _desc_pattern(metadata.mobile, length)
    same = bool(metadata.same_mobile_and_fixed_line_pattern)
    if fixed is not None:
        if same:
            alternatives.append((fixed, FIXED_LINE_OR_MOBILE))
        elif mobile is not None:
            alternatives.append((fixed, _FIXED_LINE_MAYBE_MOBILE))
        else:
            alternatives.append((fixed, FIXED_LINE))
    if not same and mobile is not None:
        alternatives.append((mobile, MOBILE))
    if not alternatives:
        return None
    body = "|".join(f"(?:{alt})\\Z(?P<t{i}>)" for i, (alt, _) in enumerate(alternatives))
    return _Combined(
        pattern=re.compile(f"(?=(?:{general})\\Z)(?:{body})"),
        types={f"t{i}": kind for i, (_, kind) in enumerate(alternatives)},
        mobile=None if same or mobile is None else re.compile(mobile),
    )


@dataclass(slots=True)
class _Region:
    """One region's metadata and its combined type regexes, built per NSN length on first use."""

    metadata: Any
    by_length: dict[int, _Combined | None] = field(default_factory=dict)

    def kind(self, nsn: str) -> int:
        """`_number_type_helper(nsn, metadata)`, as an int PhoneNumberType."""
        length = len(nsn)
        try:
            combined = self.by_length[length]
        except KeyError:
            combined = self.by_length[length] = _combine(self.metadata, length)
        if combined is None:
            return UNKNOWN
        match = combined.pattern.match(nsn)
        if match is None or match.lastgroup is None:
            return UNKNOWN
        kind = combined.types[match.lastgroup]
        if kind == _FIXED_LINE_MAYBE_MOBILE:
            assert combined.mobile is not None
            return FIXED_LINE_OR_MOBILE if combined.mobile.fullmatch(nsn) else FIXED_LINE
        return kind


@dataclass(frozen=True, slots=True)
class _Leading:
    """Consecutive regions told apart by leading digits, as one regex (first alternative that matches)."""

    pattern: re.Pattern[str]
    regions: dict[str, _Region]


def _leading(run: list[tuple[str, _Region]]) -> _Leading:
    """`re.match(leading_i, nsn)` for each region in turn, as one alternation with marker groups."""
    body = "|".join(f"(?:{leading})(?P<r{i}>)" for i, (leading, _) in enumerate(run))
    return _Leading(re.compile(body), {f"r{i}": region for i, (_, region) in enumerate(run)})


@dataclass(frozen=True, slots=True)
class _CallingCode:
    """What parse, region detection and the zone lookup need for one calling code, built once."""

    head: str  # the calling code's digits
    main: _Region  # parse's metadata: the calling code's first region (or the non-geographic entity)
    prefix: re.Pattern[str] | None  # national_prefix_for_parsing of `main`, unless literal
    literal_prefixes: tuple[str, ...]  # ... when it is plain digits ("0", "0|180020"): startswith
    transform: bool  # main has a national_prefix_transform_rule
    # `_region_code_for_number_from_list` in order: a region to type-check, or leading digits.
    steps: tuple[_Region | _Leading, ...]
    geo_mobile: bool  # is_number_type_geographical says yes for this code's mobiles
    country_zones: tuple[str, ...]  # _country_level_time_zones_for_number's answer
    lead: int  # the zone walk's widths are indexed by the number's first `lead` digits
    widths: dict[str, tuple[int, ...]]  # lead -> lengths (descending) of zone prefixes >= lead long
    settled: dict[str, tuple[str, ...]]  # lead -> zones, for leads no longer prefix refines (memo)


_LITERALS: Final = re.compile(r"[0-9]+(?:\|[0-9]+)*")
_REGIONS: dict[str, _Region | None] = {}
_CODES: dict[str, _CallingCode | None] = {}
_CALLING_CODES: Final[frozenset[str]] = frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
# "+", a calling code, ASCII digits: the common case, split by one match. Shorter codes come first and
# the rest matches any digits, so the code found is `_extract_country_code`'s (the shortest known one).
_PLAIN_E164: Final = re.compile(
    r"\+(" + "|".join(sorted(_CALLING_CODES, key=lambda code: (len(code), code))) + r")[0-9]*\Z"
)


def _region(code: str, calling_code: int) -> _Region | None:
    """The `_Region` for a region code (or the non-geographic entity of a calling code)."""
    key = f"{code}:{calling_code}" if code == _NON_GEO_REGION else code
    if key not in _REGIONS:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(calling_code, code)
        _REGIONS[key] = None if metadata is None else _Region(metadata)
    return _REGIONS[key]


def _country_level_zones(head: str) -> tuple[str, ...]:
    """`_country_level_time_zones_for_number`, slicing quirk included (tries cc[:n+1] for n >= 1)."""
    for width in range(TIMEZONE_LONGEST_PREFIX, 0, -1):
        found = TIMEZONE_DATA.get(head[: 1 + width])
        if found is not None:
            return tuple(found)
    return _UNKNOWN_ZONES


def _zone_widths(head: str, lead: int) -> dict[str, tuple[int, ...]]:
    """For each `lead`-digit start, the lengths of the zone prefixes (>= lead) a number could hit.

    `time_zones_for_geographical_number` tries every prefix length from the longest down; a prefix of
    `lead` or more digits can only match a number that starts with its first `lead` digits, so only
    those lengths are tried; shorter ones are walked as the library does.
    """
    found: dict[str, set[int]] = {}
    for key in TIMEZONE_DATA:
        if lead <= len(key) <= TIMEZONE_LONGEST_PREFIX and key.startswith(head):
            found.setdefault(key[:lead], set()).add(len(key))
    return {start: tuple(sorted(lengths, reverse=True)) for start, lengths in found.items()}


def _calling_code(head: str) -> _CallingCode | None:
    """Built on first use of a calling code; None when phonenumbers has no metadata to replicate."""
    if head in _CODES:
        return _CODES[head]
    code = int(head)
    regions: tuple[str, ...] = tuple(COUNTRY_CODE_TO_REGION_CODE[code])
    main = _region(regions[0], code)
    built: _CallingCode | None = None
    if main is not None:
        prefix_text = main.metadata.national_prefix_for_parsing
        steps: list[_Region | _Leading] = []
        run: list[tuple[str, _Region]] = []
        if len(regions) > 1:
            for region_code in regions:
                region = _region(region_code.upper(), code)
                if region is None:
                    continue
                leading = region.metadata.leading_digits
                if leading is not None:
                    run.append((str(leading), region))
                    continue
                if run:
                    steps.append(_leading(run))
                    run = []
                steps.append(region)
            if run:
                steps.append(_leading(run))
        lead = min(len(head) + 3, TIMEZONE_LONGEST_PREFIX)
        literal = tuple(prefix_text.split("|")) if prefix_text and _LITERALS.fullmatch(prefix_text) else None
        built = _CallingCode(
            head=head,
            main=main,
            prefix=None if literal is not None or not prefix_text else re.compile(prefix_text),
            literal_prefixes=literal or (),
            transform=bool(main.metadata.national_prefix_transform_rule),
            steps=tuple(steps),
            geo_mobile=head in _GEO_MOBILE_CODES,
            country_zones=_country_level_zones(head),
            lead=lead,
            widths=_zone_widths(head, lead),
            settled={},
        )
    _CODES[head] = built
    return built


def _prefix_keeps_number(entry: _CallingCode, match: re.Match[str]) -> bool:
    """True when parse's national-prefix stripping certainly leaves the NSN as it is despite a match."""
    if match.end() != 0:
        return False  # parse might strip it: let phonenumbers decide
    groups = match.groups()
    return not entry.transform or (len(groups) > 0 and groups[-1] is None)


def _number_kind(entry: _CallingCode, nsn: str) -> int:
    """`number_type`: find the region like `region_code_for_number`, then type the NSN against it."""
    for step in entry.steps:
        if isinstance(step, _Region):
            kind = step.kind(nsn)
            if kind != UNKNOWN:
                return kind
        else:
            match = step.pattern.match(nsn)
            if match is not None and match.lastgroup is not None:
                return step.regions[match.lastgroup].kind(nsn)
    return UNKNOWN  # no region: metadata_for_region(None) is None, so phonenumbers says UNKNOWN


def _zones_by_prefix(entry: _CallingCode, digits: str) -> tuple[str, ...]:
    """`time_zones_for_geographical_number`'s longest-prefix walk over "+digits".

    Keys of `lead` digits or more are looked up only at lengths that exist for the number's first
    `lead` digits; when none is longer than `lead`, the answer depends on those digits alone and is
    remembered (at most one entry per distinct lead, so bounded by the numbers seen).
    """
    lead = digits[: entry.lead]
    found = entry.settled.get(lead)
    if found is not None:
        return found
    widths = entry.widths.get(lead, ())
    for width in widths:
        found = TIMEZONE_DATA.get(digits[:width])
        if found is not None:
            break
    else:
        for width in range(entry.lead - 1, 0, -1):
            found = TIMEZONE_DATA.get(digits[:width])
            if found is not None:
                break
    zones = _UNKNOWN_ZONES if found is None else tuple(found)
    if not widths or widths[0] <= len(lead):
        entry.settled[lead] = zones
    return zones


def _classify(number: str) -> tuple[_CallingCode | None, int] | None:
    """(calling code, type) as `parse` + `number_type` would give; None: "ask phonenumbers"."""
    plain = _PLAIN_E164.match(number)
    if plain is not None and _MIN_NSN <= len(number) - plain.end(1) <= _MAX_NSN:
        end = plain.end(1)
        head = number[1:end]
        nsn = number[end:]
    else:
        if len(number) > _MAX_FAST_INPUT or number[:1] != "+":
            return None
        digits = number[1:]
        if not (digits.isascii() and digits.isdigit()):
            return None
        if len(digits) <= 2:
            return (None, NOT_A_NUMBER)  # not a viable number, or too short after the "+"
        # `_extract_country_code`: the shortest known code of 1-3 digits (none starts with 0).
        if digits[:1] in _CALLING_CODES:
            head = digits[:1]
        elif digits[:2] in _CALLING_CODES:
            head = digits[:2]
        elif digits[:3] in _CALLING_CODES:
            head = digits[:3]
        else:
            return (None, NOT_A_NUMBER)  # INVALID_COUNTRY_CODE
        nsn = digits[len(head) :]
    try:
        entry = _CODES[head]
    except KeyError:
        entry = _calling_code(head)
    if entry is None:
        return None
    # The rest of `parse` (national prefix, length limits), then `number_type`.
    if len(nsn) < _MIN_NSN:
        return (entry, NOT_A_NUMBER)  # TOO_SHORT_NSN
    if entry.literal_prefixes:
        if nsn.startswith(entry.literal_prefixes):
            return None  # parse might strip a national prefix: let phonenumbers decide
    elif entry.prefix is not None:
        match = entry.prefix.match(nsn)
        if match is not None and not _prefix_keeps_number(entry, match):
            return None
    if len(nsn) > _MAX_NSN:
        return (entry, NOT_A_NUMBER)  # TOO_LONG
    if entry.steps:
        return (entry, _number_kind(entry, nsn))
    return (entry, entry.main.kind(nsn))


def classify_e164(number: str) -> tuple[str, int] | None:
    """(calling code digits, `number_type` as int) for "+digits" input; None: "ask phonenumbers".

    The type is NOT_A_NUMBER where `phonenumbers.parse` would raise. Public so that tests can compare
    the classification itself, not only the zones (which hide e.g. toll free vs. unknown).
    """
    classified = _classify(number)
    if classified is None:
        return None
    entry, kind = classified
    return ("" if entry is None else entry.head, kind)


def time_zones_e164(number: str) -> tuple[str, ...] | None:
    """The zones phonenumbers would give `phone_zones` for this number, or None: "ask phonenumbers".

    () where the reference returns early (unparseable, or a type that is not fixed line / mobile);
    otherwise the raw zone list, possibly ("Etc/Unknown",), for the caller to clean as the reference does.
    """
    classified = _classify(number)
    if classified is None:
        return None
    entry, kind = classified
    if entry is None:
        return ()
    if kind in (FIXED_LINE, FIXED_LINE_OR_MOBILE) or (kind == MOBILE and entry.geo_mobile):
        return _zones_by_prefix(entry, number[1:])
    if kind == MOBILE:
        return entry.country_zones
    return ()
