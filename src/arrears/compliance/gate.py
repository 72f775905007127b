"""The profile-driven contact gate: allow, deny with reasons, or defer to the earliest permitted instant.

Fact-based refusals (opt-outs, holds without end, consent, barred destinations, lists, unknown zone) deny.
Everything time-based reduces to lower bounds (caps, the quiet period, holds that end) plus the window
set, so the earliest permitted instant is the first window instant at or after the largest bound: exact,
with no stepping or search. The planner and the dispatcher call the same `decide`, so a contact judged
at planning time is judged again, with the facts of that moment, just before it leaves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from arrears.compliance import checks, disclosures
from arrears.compliance.frequency import NEVER, cap_bound, quiet_bound
from arrears.compliance.model import Address, Decision, GateRequest, Reason, Verdict
from arrears.compliance.policy import DEFAULT_FALLBACK, ContactRules, Policy
from arrears.compliance.profiles import CollectorKind, ProfileRegistry, TenantSettings, load_tenant
from arrears.compliance.timing import WindowContext, window_reasons
from arrears.compliance.windows import earliest_open, is_open, local_date
from arrears.compliance.zones import find_zones

# Counting days without a known zone: the two extreme offsets make every calendar day as long as possible.
_COUNTING_FALLBACK = ("Etc/GMT+12", "Etc/GMT-14")


class ProfileGate:
    """A `ContactGate` driven by profile files; construct once, share across threads and calls."""

    def __init__(
        self,
        registry: ProfileRegistry | None = None,
        tenant: TenantSettings | None = None,
        horizon_days: int = 400,
    ) -> None:
        self.registry = registry or ProfileRegistry.builtin()
        self.tenant = tenant or TenantSettings()
        self.horizon = timedelta(days=horizon_days)
        self._horizon_days = horizon_days
        self._resolved: dict[tuple[Address, tuple[str, ...]], Policy | None] = {}
        for name in self.tenant.extra_profiles:
            self.registry.get(name)  # fail at construction, not at the first contact

    @classmethod
    def from_files(
        cls,
        collector_kind: CollectorKind = "third_party",
        tenant_file: Path | None = None,
        profile_dirs: tuple[Path, ...] = (),
    ) -> ProfileGate:
        """The usual construction from settings: shipped profiles, extra directories, a tenant file."""
        tenant = load_tenant(tenant_file) if tenant_file else TenantSettings(collector_kind=collector_kind)
        return cls(ProfileRegistry.builtin(profile_dirs), tenant)

    @property
    def collector_kind(self) -> CollectorKind:
        return self.tenant.collector_kind

    def policy_for(self, address: Address, names: tuple[str, ...] = ()) -> Policy | None:
        """The merged policy for a customer (explicit names win over resolution from the address)."""
        key = (address, names)
        if key in self._resolved:
            return self._resolved[key]
        chosen = names or self.registry.resolve(address, self.tenant.collector_kind)
        policy = None
        if chosen is not None:
            full = (*chosen, *(n for n in self.tenant.extra_profiles if n not in chosen))
            policy = self.registry.policy(full, self.tenant.overrides)
        self._resolved[key] = policy
        return policy

    def decide(self, request: GateRequest) -> Decision:
        proposal = request.proposal
        now = request.now.astimezone(UTC)
        policy = self.policy_for(proposal.address, request.profiles)
        if policy is None:
            country = proposal.address.country or "unknown"
            return _deny([Reason(DEFAULT_FALLBACK.id, DEFAULT_FALLBACK.source, f"no profile for {country}")])
        rules = policy.for_contact(
            (
                proposal.channel,
                proposal.destination_kind,
                proposal.caller_kind,
                proposal.purpose,
                proposal.autodialed,
            )
        )
        reasons = checks.opt_out_reasons(request, policy)
        held, hold_until = checks.hold_reasons(request, policy, now)
        reasons += held
        reasons += checks.fact_reasons(request, policy, rules, now)
        timed = rules.window_open is not None
        finding = find_zones(
            proposal.address, proposal.recorded_time_zone, proposal.destination, request.phone_numbers
        )
        zones = finding.zones
        if timed and not zones:
            reasons.append(
                checks.reason(policy.unknown_zone, "no time zone known for the customer: no contact")
            )
        if reasons:
            return _deny(reasons, finding.zones, finding.inputs)
        ctx = (
            WindowContext.build(rules, proposal.address, proposal.channel, request.inconvenient_times)
            if timed
            else None
        )
        count_zones = zones or _COUNTING_FALLBACK
        strict, exempt, exempt_until = self._bounds(request, policy, rules, count_zones, now)
        if hold_until is not None:
            strict = max(strict, hold_until)
        allowed_at = self._earliest(ctx, zones, max(strict, exempt) if exempt_until is None else strict, now)
        if exempt_until is not None and (allowed_at is None or allowed_at >= exempt_until):
            allowed_at = self._earliest(ctx, zones, max(strict, exempt), now)
        if allowed_at == now:
            chosen = disclosures.select(rules, request)
            dates = tuple(local_date(now, z) for z in zones)
            end = disclosures.validation_end(rules, chosen, request, now, dates)
            return Decision(Verdict.ALLOW, (), None, zones, chosen, finding.inputs, end)
        why = self._why_not_now(request, policy, rules, ctx, zones, count_zones, now, exempt_until)
        if allowed_at is None:
            horizon = f"no permitted time within {self._horizon_days} days"
            why.append(checks.reason(DEFAULT_FALLBACK, horizon))
            return _deny(why, zones, finding.inputs)
        chosen = disclosures.select(rules, request)
        return Decision(Verdict.DEFER, tuple(_unique(why)), allowed_at, zones, chosen, finding.inputs)

    def _bounds(
        self, request: GateRequest, policy: Policy, rules: ContactRules, zones: tuple[str, ...], now: datetime
    ) -> tuple[datetime, datetime, datetime | None]:
        """Lower bounds from caps and quiet periods: (binding, lifted by direct consent, until when)."""
        exempt_until = _direct_consent_until(request, policy, now)
        strict = exempt = now
        for cap in rules.caps:
            bound = cap_bound(cap, request.history, request.proposal, zones, now)
            if bound is None:
                continue
            if cap.direct_consent_exempt and exempt_until is not None:
                exempt = max(exempt, bound)
            else:
                strict = max(strict, bound)
        for quiet in rules.quiet:
            bound = quiet_bound(quiet, request.history, request.proposal, zones, now)
            if bound is None:
                continue
            if quiet.direct_consent_exempt and exempt_until is not None:
                exempt = max(exempt, bound)
            else:
                strict = max(strict, bound)
        return strict, exempt, exempt_until

    def _earliest(
        self, ctx: WindowContext | None, zones: tuple[str, ...], bound: datetime, now: datetime
    ) -> datetime | None:
        if bound >= NEVER or bound - now > self.horizon:
            return None
        if ctx is None:
            return bound
        if bound == now and is_open(ctx.spec, zones, now):
            return now
        return earliest_open(ctx.spec, zones, bound, self._horizon_days)

    def _why_not_now(
        self,
        request: GateRequest,
        policy: Policy,
        rules: ContactRules,
        ctx: WindowContext | None,
        zones: tuple[str, ...],
        count_zones: tuple[str, ...],
        now: datetime,
        exempt_until: datetime | None,
    ) -> list[Reason]:
        """Every time-based rule that keeps the contact from going out right now (slow path only)."""
        why: list[Reason] = []
        if ctx is not None:
            why += window_reasons(ctx, rules, policy, zones, now)
        for cap in rules.caps:
            if cap.direct_consent_exempt and exempt_until is not None:
                continue
            bound = cap_bound(cap, request.history, request.proposal, count_zones, now)
            if bound is not None:
                message = f"{cap.max_contacts} per {cap.days} days reached; next from {_iso(bound)}"
                why.append(checks.reason(cap, message))
        for quiet in rules.quiet:
            if quiet.direct_consent_exempt and exempt_until is not None:
                continue
            bound = quiet_bound(quiet, request.history, request.proposal, count_zones, now)
            if bound is not None:
                why.append(
                    checks.reason(quiet, f"{quiet.days}-day quiet after a conversation; ends {_iso(bound)}")
                )
        why += checks.hold_deferral_reasons(request, policy, now)
        return why


def _direct_consent_until(request: GateRequest, policy: Policy, now: datetime) -> datetime | None:
    """When the consumer's direct consent to be contacted stops lifting the caps (None: no such consent)."""
    if policy.direct_consent_days <= 0:
        return None
    proposal = request.proposal
    until = None
    for consent in request.direct_consents:
        if consent.channel != proposal.channel or consent.debt_id not in (None, proposal.debt_id):
            continue
        ends = consent.given_at + timedelta(days=policy.direct_consent_days)
        if consent.given_at <= now < ends:
            until = ends if until is None else max(until, ends)
    return until


def _iso(instant: datetime) -> str:
    return "never" if instant >= NEVER else instant.isoformat()


def _unique(reasons: list[Reason]) -> list[Reason]:
    return list(dict.fromkeys(reasons))


def _deny(reasons: list[Reason], zones: tuple[str, ...] = (), inputs: tuple[str, ...] = ()) -> Decision:
    return Decision(Verdict.DENY, tuple(_unique(reasons)), None, zones, (), inputs)
