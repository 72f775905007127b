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
from arrears.compliance.frequency import NEVER, cap_bound, local_days, quiet_bound
from arrears.compliance.model import (
    Address,
    ContactChannel,
    Decision,
    GateRequest,
    InconvenientTime,
    Reason,
    Verdict,
)
from arrears.compliance.policy import DEFAULT_FALLBACK, ContactRules, Policy
from arrears.compliance.profiles import CollectorKind, ProfileRegistry, TenantSettings, load_tenant
from arrears.compliance.schema import CapRule, QuietRule
from arrears.compliance.timing import WindowContext, window_reasons
from arrears.compliance.windows import earliest_open, local_date
from arrears.compliance.zones import ZoneFinding, find_zones

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
        self._customers: dict[tuple[object, ...], _Customer] = {}
        self._contexts: dict[tuple[object, ...], WindowContext] = {}
        self._allows: dict[tuple[object, ...], Decision] = {}
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
        now = request.now
        if now.tzinfo is not UTC:
            now = now.astimezone(UTC)
        customer = self._customer(request)
        policy = customer.policy
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
        reasons = checks.opt_out_reasons(request, policy) if request.opt_outs else []
        hold_until = None
        if request.holds:
            held, hold_until = checks.hold_reasons(request, policy, now)
            reasons += held
        reasons += checks.fact_reasons(request, policy, rules, now)
        timed = rules.window_open is not None
        finding = customer.finding
        zones = finding.zones
        if timed and not zones:
            reasons.append(
                checks.reason(policy.unknown_zone, "no time zone known for the customer: no contact")
            )
        if reasons:
            return _deny(reasons, zones, finding.inputs)
        ctx = (
            self._context(rules, customer, proposal.channel, request.inconvenient_times)
            if timed
            else None
        )
        bounds, exempt_until = self._bounds(request, policy, rules, zones or _COUNTING_FALLBACK, now)
        strict = exempt = now
        for rule, bound in bounds:
            if exempt_until is not None and rule.direct_consent_exempt:
                exempt = max(exempt, bound)
            else:
                strict = max(strict, bound)
        if hold_until is not None:
            strict = max(strict, hold_until)
        allowed_at = self._earliest(
            ctx, zones, strict if exempt_until is not None else max(strict, exempt), now
        )
        if exempt_until is not None and (allowed_at is None or allowed_at >= exempt_until):
            allowed_at = self._earliest(ctx, zones, max(strict, exempt), now)
        chosen = disclosures.select(rules, request)
        if allowed_at == now:
            end = None
            if chosen:
                dates = tuple(local_date(now, z) for z in zones)
                end = disclosures.validation_end(rules, chosen, request, now, dates)
            key = (customer, chosen, end)
            decision = self._allows.get(key)
            if decision is None:  # decisions are immutable: identical allows share one object
                if len(self._allows) > 65536:
                    self._allows.clear()
                decision = self._allows[key] = Decision(
                    Verdict.ALLOW, (), None, zones, chosen, finding.inputs, end
                )
            return decision
        why = window_reasons(ctx, rules, policy, zones, now) if ctx is not None else []
        for rule, bound in bounds:
            if exempt_until is not None and rule.direct_consent_exempt:
                continue
            why.append(checks.reason(rule, _bound_message(rule, bound)))
        if hold_until is not None:
            why += checks.hold_deferral_reasons(request, policy, now)
        if allowed_at is None:
            horizon = f"no permitted time within {self._horizon_days} days"
            why.append(checks.reason(DEFAULT_FALLBACK, horizon))
            return _deny(why, zones, finding.inputs)
        return Decision(Verdict.DEFER, tuple(_unique(why)), allowed_at, zones, chosen, finding.inputs)

    def _customer(self, request: GateRequest) -> _Customer:
        """Policy and candidate zones per customer and destination, looked up with a single hash."""
        p = request.proposal
        key = (p.address, request.profiles, p.recorded_time_zone, p.destination, request.phone_numbers)
        found = self._customers.get(key)
        if found is None:
            if len(self._customers) > 262144:
                self._customers.clear()
            policy = self.policy_for(p.address, request.profiles)
            finding = find_zones(p.address, p.recorded_time_zone, p.destination, request.phone_numbers)
            found = self._customers[key] = _Customer(p.address, policy, finding)
        return found

    def _context(
        self,
        rules: ContactRules,
        customer: _Customer,
        channel: ContactChannel,
        times: tuple[InconvenientTime, ...],
    ) -> WindowContext:
        zones = customer.finding.zones
        key = (rules, customer.address, zones, channel, times)
        ctx = self._contexts.get(key)
        if ctx is None:
            if len(self._contexts) > 65536:
                self._contexts.clear()
            ctx = self._contexts[key] = WindowContext.build(rules, customer.address, channel, times, zones)
        return ctx

    @staticmethod
    def _bounds(
        request: GateRequest, policy: Policy, rules: ContactRules, zones: tuple[str, ...], now: datetime
    ) -> tuple[list[tuple[CapRule | QuietRule, datetime]], datetime | None]:
        """Every cap or quiet period that binds now, with the instant it stops binding."""
        history = request.history
        if not history or not (rules.caps or rules.quiet):
            return [], None
        exempt_until = _direct_consent_until(request, policy, now) if request.direct_consents else None
        debt = request.proposal.debt_id
        out: list[tuple[CapRule | QuietRule, datetime]] = []
        today = local_days(now, zones) if rules.caps else ()
        for cap in rules.caps:
            bound = cap_bound(cap, history, debt, zones, today)
            if bound is not None:
                out.append((cap, bound))
        for quiet in rules.quiet:
            found = quiet_bound(quiet, history, debt, zones, now)
            if found is not None:
                out.append((quiet, found))
        return out, exempt_until

    def _earliest(
        self, ctx: WindowContext | None, zones: tuple[str, ...], bound: datetime, now: datetime
    ) -> datetime | None:
        if bound >= NEVER or bound - now > self.horizon:
            return None
        if ctx is None:
            return bound
        if bound == now and ctx.is_open(now):
            return now
        return earliest_open(ctx.spec, zones, bound, self._horizon_days)


class _Customer:
    """What the gate worked out once for a customer and destination; hashed by identity."""

    __slots__ = ("address", "finding", "policy")

    def __init__(self, address: Address, policy: Policy | None, finding: ZoneFinding) -> None:
        self.address = address
        self.policy = policy
        self.finding = finding


def _bound_message(rule: CapRule | QuietRule, bound: datetime) -> str:
    if isinstance(rule, CapRule):
        return f"{rule.max_contacts} per {rule.days} days reached; next from {_iso(bound)}"
    return f"{rule.days}-day quiet after a conversation; ends {_iso(bound)}"


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
