"""Merging profiles into one policy (strictest wins) and compiling it per kind of contact.

Profiles compose: the house base, the country, state and city overlays, the collector kind, then the
tenant's own settings. Merging never relaxes a rule: windows narrow, caps lower, quiet periods lengthen,
scopes widen, exemptions need every profile to grant them. The compiled view per (channel, destination
kind, caller kind, purpose, autodialed) is cached so the hot path never walks the rule lists again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from arrears.compliance.model import CallerKind, ContactChannel, DestinationKind, Purpose
from arrears.compliance.schema import (
    CapRule,
    ConsentRule,
    DestinationRule,
    Disclosure,
    HoldRule,
    HolidayRule,
    Keywords,
    Obligation,
    OptOutRule,
    ProfileFile,
    PurposeConsentRule,
    QuietRule,
    RuleRef,
    Scoped,
    WindowRule,
)

_E = TypeVar("_E")
_S = TypeVar("_S", bound=Scoped)

DEFAULT_FALLBACK = RuleRef(id="arrears.fail_closed", source="house rule: fail closed")


def _union(a: tuple[_E, ...] | None, b: tuple[_E, ...] | None) -> tuple[_E, ...] | None:
    """Scopes widen on merge: None means everything and absorbs any list."""
    if a is None or b is None:
        return None
    return tuple(dict.fromkeys((*a, *b)))


def _widen(old: _S, new: _S) -> dict[str, object]:
    return {
        "channels": _union(old.channels, new.channels),
        "destination_kinds": _union(old.destination_kinds, new.destination_kinds),
    }


def _merge_window(old: WindowRule, new: WindowRule) -> WindowRule:
    return old.model_copy(
        update={
            **_widen(old, new),
            "open": max(old.open, new.open),
            "close": min(old.close, new.close),
            "blocked_weekdays": tuple(sorted({*old.blocked_weekdays, *new.blocked_weekdays})),
            "source": new.source,
        }
    )


def _merge_cap(old: CapRule, new: CapRule) -> CapRule:
    return old.model_copy(
        update={
            **_widen(old, new),
            "max_contacts": min(old.max_contacts, new.max_contacts),
            "days": max(old.days, new.days),
            "count_channels": _union(old.count_channels, new.count_channels),
            "count_destination_kinds": _union(old.count_destination_kinds, new.count_destination_kinds),
            "per_debt": old.per_debt and new.per_debt,
            "count_failed": old.count_failed or new.count_failed,
            "direct_consent_exempt": old.direct_consent_exempt and new.direct_consent_exempt,
        }
    )


def _merge_quiet(old: QuietRule, new: QuietRule) -> QuietRule:
    return old.model_copy(
        update={
            **_widen(old, new),
            "days": max(old.days, new.days),
            "per_debt": old.per_debt and new.per_debt,
            "direct_consent_exempt": old.direct_consent_exempt and new.direct_consent_exempt,
        }
    )


def _merge_consent(old: ConsentRule, new: ConsentRule) -> ConsentRule:
    kinds = tuple(dict.fromkeys((*old.caller_kinds, *new.caller_kinds)))
    return old.model_copy(
        update={**_widen(old, new), "caller_kinds": kinds, "autodialed": old.autodialed or new.autodialed}
    )


def _merge_destination(old: DestinationRule, new: DestinationRule) -> DestinationRule:
    return old.model_copy(
        update={**_widen(old, new), "unless_consent": old.unless_consent and new.unless_consent}
    )


def _merge_purpose(old: PurposeConsentRule, new: PurposeConsentRule) -> PurposeConsentRule:
    purposes = tuple(dict.fromkeys((*old.purposes, *new.purposes)))
    return old.model_copy(update={**_widen(old, new), "purposes": purposes})


def _merge_holiday(old: HolidayRule, new: HolidayRule) -> HolidayRule:
    return new.model_copy(update=_widen(old, new))


def _keyed(groups: Iterable[Sequence[_S]], merge: Callable[[_S, _S], _S]) -> tuple[_S, ...]:
    """Entries with the same merge key combine (strictest wins); distinct keys all apply."""
    merged: dict[str, _S] = {}
    for group in groups:
        for rule in group:
            old = merged.get(rule.merge_key)
            merged[rule.merge_key] = rule if old is None else merge(old, rule)
    return tuple(merged.values())


@dataclass(frozen=True, slots=True, eq=False)
class ContactRules:
    """The rules that apply to one kind of contact, with the window already narrowed to one interval.

    Compared and hashed by identity: each is built once per policy and contact kind, then used as a
    cheap cache key on the hot path.
    """

    window_open: int | None  # seconds after local midnight; None: no hours rule applies (letters)
    window_close: int
    blocked_weekdays: frozenset[int]
    windows: tuple[WindowRule, ...]
    holidays: tuple[HolidayRule, ...]
    caps: tuple[CapRule, ...]
    quiet: tuple[QuietRule, ...]
    consent: tuple[ConsentRule, ...]
    destinations: tuple[DestinationRule, ...]
    purpose_consent: tuple[PurposeConsentRule, ...]
    disclosures: tuple[Disclosure, ...]


ContactKey = tuple[ContactChannel, DestinationKind, CallerKind, Purpose, bool]


def _applies(rule: Scoped, channel: ContactChannel, kind: DestinationKind) -> bool:
    return (rule.channels is None or channel in rule.channels) and (
        rule.destination_kinds is None or kind in rule.destination_kinds
    )


class Policy:
    """Profiles merged into one rule set, with a per-contact-kind compiled cache."""

    def __init__(self, files: Sequence[ProfileFile]) -> None:
        self.names: tuple[str, ...] = tuple(f.name for f in files)
        self.unknown_zone = self._last(f.unknown_zone for f in files) or DEFAULT_FALLBACK
        self.inconvenient_time = self._last(f.inconvenient_time for f in files) or DEFAULT_FALLBACK
        self.inconvenient_place = self._last(f.inconvenient_place for f in files) or DEFAULT_FALLBACK
        self.do_not_contact = self._last(f.do_not_contact for f in files) or DEFAULT_FALLBACK
        grants = [f.direct_consent_days for f in files if f.direct_consent_days is not None]
        self.direct_consent_days: int = min(grants) if grants else 0
        self.windows = _keyed((f.windows for f in files), _merge_window)
        self.holidays = _keyed((f.holidays for f in files), _merge_holiday)
        self.caps = _keyed((f.caps for f in files), _merge_cap)
        self.quiet = _keyed((f.quiet for f in files), _merge_quiet)
        self.consent = _keyed((f.consent for f in files), _merge_consent)
        self.destinations = _keyed((f.destinations for f in files), _merge_destination)
        self.purpose_consent = _keyed((f.purpose_consent for f in files), _merge_purpose)
        self.holds: dict[str, HoldRule] = {}
        self.opt_outs: dict[str, OptOutRule] = {}
        self.disclosures: dict[str, Disclosure] = {}
        self.obligations: dict[str, Obligation] = {}  # later profiles restate an id: the last wins
        words: dict[str, None] = {}
        self.revocation: Keywords | None = None
        for f in files:
            for hold in f.holds:
                for kind in hold.kinds:
                    self.holds[kind] = self._merge_hold(self.holds.get(kind), hold, kind)
            for opt in f.opt_outs:
                for reason in opt.reasons:
                    self.opt_outs[reason] = opt
            for disclosure in f.disclosures:
                self.disclosures[disclosure.id] = disclosure
            for obligation in f.obligations:
                self.obligations[obligation.id] = obligation
            if f.revocation_keywords is not None:
                words.update(dict.fromkeys(w.upper() for w in f.revocation_keywords.words))
                self.revocation = f.revocation_keywords.model_copy(update={"words": tuple(words)})
        self._compiled: dict[ContactKey, ContactRules] = {}

    @staticmethod
    def _last(values: Iterable[RuleRef | None]) -> RuleRef | None:
        found = None
        for value in values:
            if value is not None:
                found = value
        return found

    @staticmethod
    def _merge_hold(old: HoldRule | None, new: HoldRule, kind: str) -> HoldRule:
        if old is None:
            return new.model_copy(update={"kinds": (kind,)})
        permitted = tuple(p for p in old.permitted_purposes if p in new.permitted_purposes)
        return new.model_copy(update={"kinds": (kind,), "permitted_purposes": permitted})

    def hold_rule(self, kind: str) -> HoldRule:
        """Unknown hold kinds still block: the fallback rule has no permitted purpose."""
        rule = self.holds.get(kind) or self.holds.get("*")
        if rule is None:
            return HoldRule(id=DEFAULT_FALLBACK.id, source=DEFAULT_FALLBACK.source, kinds=(kind,))
        return rule

    def opt_out_rule(self, reason: str) -> RuleRef:
        return self.opt_outs.get(reason) or self.opt_outs.get("*") or DEFAULT_FALLBACK

    def for_contact(self, key: ContactKey) -> ContactRules:
        rules = self._compiled.get(key)
        if rules is None:
            rules = self._compile(key)
            self._compiled[key] = rules
        return rules

    def _compile(self, key: ContactKey) -> ContactRules:
        channel, kind, caller, purpose, autodialed = key
        windows = tuple(w for w in self.windows if _applies(w, channel, kind))
        consent = tuple(
            c
            for c in self.consent
            if _applies(c, channel, kind) and (caller in c.caller_kinds or (autodialed and c.autodialed))
        )
        disclosures = tuple(
            d
            for d in self.disclosures.values()
            if (d.channels is None or channel in d.channels)
            and (d.caller_kinds is None or caller in d.caller_kinds)
            and (d.purposes is None or purpose in d.purposes)
        )
        return ContactRules(
            window_open=max((w.open for w in windows), default=None),
            window_close=min((w.close for w in windows), default=86400),
            blocked_weekdays=frozenset(d for w in windows for d in w.blocked_weekdays),
            windows=windows,
            holidays=tuple(h for h in self.holidays if _applies(h, channel, kind)),
            caps=tuple(c for c in self.caps if _applies(c, channel, kind)),
            quiet=tuple(q for q in self.quiet if _applies(q, channel, kind)),
            consent=consent,
            destinations=tuple(d for d in self.destinations if _applies(d, channel, kind)),
            purpose_consent=tuple(
                p for p in self.purpose_consent if _applies(p, channel, kind) and purpose in p.purposes
            ),
            disclosures=disclosures,
        )
