"""What a decision needs that depends only on who is contacted, where and how: worked out once, reused.

A planner asks about the same customer, destination and kind of contact again and again (every planning
pass, then the dispatcher). The policy, the compiled rules for that kind of contact, the candidate zones,
the window context and the normalised destination are all functions of those inputs alone, so the gate
keeps them in one object found with a single hash, and the per-request work is only what depends on the
history, the facts and the time.
"""

from __future__ import annotations

from arrears.compliance.checks import normalise_destination
from arrears.compliance.disclosures import choose
from arrears.compliance.model import CONSENT_NOT_NEEDED, Decision, Purpose, Reason, Verdict
from arrears.compliance.policy import DEFAULT_FALLBACK, ContactRules, Policy
from arrears.compliance.timing import WindowContext
from arrears.compliance.zones import ZoneFinding

# Counting days without a known zone: the two extreme offsets make every calendar day as long as possible.
COUNTING_FALLBACK = ("Etc/GMT+12", "Etc/GMT-14")


class Prepared:
    """One (customer, destination, contact kind, designated times) combination, prepared for decisions."""

    __slots__ = (
        "allows",
        "chosen",
        "consent_matters",
        "counting_zones",
        "ctx",
        "destination",
        "finding",
        "needs_consent",
        "no_profile",
        "policy",
        "rules",
        "timed",
    )

    def __init__(
        self,
        policy: Policy | None,
        rules: ContactRules | None,
        finding: ZoneFinding,
        ctx: WindowContext | None,
        destination: str,
        purpose: Purpose,
        country: str | None,
    ) -> None:
        self.policy = policy
        self.rules = rules
        self.finding = finding
        self.ctx = ctx
        self.destination = normalise_destination(destination)
        self.timed = rules is not None and rules.window_open is not None
        self.counting_zones = finding.zones or COUNTING_FALLBACK
        self.needs_consent = rules is not None and bool(rules.consent) and purpose not in CONSENT_NOT_NEEDED
        # Whether any fact rule asks about consent on the destination (else the consents are not read).
        self.consent_matters = rules is not None and (
            self.needs_consent or bool(rules.destinations) or bool(rules.purpose_consent)
        )
        # Identical allows share one immutable Decision, keyed by (disclosures, validation period end).
        self.allows: dict[tuple[object, ...], Decision] = {}
        # Disclosures by (first communication?) for debts not time-barred: the usual case, two lookups.
        self.chosen: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        if rules is not None and rules.disclosures:
            self.chosen = (choose(rules, False, False), choose(rules, True, False))
        self.no_profile: Decision | None = None
        if policy is None:
            reason = Reason(
                DEFAULT_FALLBACK.id, DEFAULT_FALLBACK.source, f"no profile for {country or 'unknown'}"
            )
            self.no_profile = Decision(Verdict.DENY, (reason,))
