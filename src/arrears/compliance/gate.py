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
from arrears.compliance.model import (
    RESPONSES,
    Address,
    Decision,
    GateRequest,
    Reason,
    Verdict,
)
from arrears.compliance.policy import DEFAULT_FALLBACK, ContactRules, Policy
from arrears.compliance.prepared import Prepared
from arrears.compliance.profiles import CollectorKind, ProfileRegistry, TenantSettings, load_tenant
from arrears.compliance.schema import CapRule, QuietRule
from arrears.compliance.timing import WindowContext, window_reasons
from arrears.compliance.windows import local_date
from arrears.compliance.zones import find_zones


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
        self._prepared: dict[tuple[object, ...], Prepared] = {}
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
        now = request.now
        if now.tzinfo is not UTC:
            now = now.astimezone(UTC)
        prep = self._prepare(request)
        policy, rules = prep.policy, prep.rules
        if policy is None or rules is None:
            assert prep.no_profile is not None
            return prep.no_profile
        finding = prep.finding
        zones = finding.zones
        reasons = checks.opt_out_reasons(request, policy) if request.opt_outs else []
        hold_until = None
        if request.holds:
            held, hold_until = checks.hold_reasons(request, policy, now)
            reasons += held
        if prep.consent_matters or request.inconvenient_places or request.do_not_contact:
            reasons += checks.fact_reasons(
                request, policy, rules, now, prep.destination, prep.consent_matters
            )
        if prep.timed and not zones:
            reasons.append(
                checks.reason(policy.unknown_zone, "no time zone known for the customer: no contact")
            )
        if reasons:
            return _deny(reasons, zones, finding.inputs)
        ctx = prep.ctx
        bounds: list[tuple[CapRule | QuietRule, datetime]] = []
        exempt_until = None
        if request.history and (rules.caps or rules.quiet) and request.proposal.purpose not in RESPONSES:
            bounds, exempt_until = self._bounds(request, policy, rules, prep.counting_zones, now)
        if not bounds and hold_until is None:  # the common case: nothing but the window can hold it back
            allowed_at = now if ctx is None or ctx.is_open(now) else self._earliest(ctx, now, now)
        else:
            strict = exempt = now
            for rule, bound in bounds:
                if exempt_until is not None and rule.direct_consent_exempt:
                    exempt = max(exempt, bound)
                else:
                    strict = max(strict, bound)
            if hold_until is not None:
                strict = max(strict, hold_until)
            allowed_at = self._earliest(ctx, strict if exempt_until is not None else max(strict, exempt), now)
            if exempt_until is not None and (allowed_at is None or allowed_at >= exempt_until):
                allowed_at = self._earliest(ctx, max(strict, exempt), now)
        if request.time_barred:
            chosen = disclosures.select(rules, request)
        else:
            chosen = prep.chosen[disclosures.is_initial(request)] if rules.disclosures else ()
        chosen = disclosures.for_debtor(rules, chosen, request)
        if allowed_at == now:
            end = None
            if chosen and disclosures.carries_validation_notice(rules, chosen, request):
                dates = tuple(local_date(now, z) for z in zones)
                end = disclosures.validation_end(rules, chosen, request, now, dates)
            key = (chosen, end)
            decision = prep.allows.get(key)
            if decision is None:  # decisions are immutable: identical allows share one object
                decision = prep.allows[key] = Decision(
                    Verdict.ALLOW, (), None, zones, chosen, finding.inputs, end
                )
            return decision
        explain = (request, prep, now, bounds, exempt_until, hold_until)
        if allowed_at is None:
            why = _why(explain)
            horizon = f"no permitted time within {self._horizon_days} days"
            return _deny([*why, checks.reason(DEFAULT_FALLBACK, horizon)], zones, finding.inputs)
        return _Deferred(explain, allowed_at, zones, chosen, finding.inputs)

    def _prepare(self, request: GateRequest) -> Prepared:
        """Policy, rules, zones and window for this customer, destination and kind of contact: one hash."""
        p = request.proposal
        key = (
            p.address,
            request.profiles,
            p.recorded_time_zone,
            p.destination,
            request.phone_numbers,
            p.channel,
            p.destination_kind,
            p.caller_kind,
            p.purpose,
            p.autodialed,
            request.inconvenient_times,
        )
        found = self._prepared.get(key)
        if found is None:
            if len(self._prepared) > 262144:
                self._prepared.clear()
            found = self._prepared[key] = self._build(request)
        return found

    def _build(self, request: GateRequest) -> Prepared:
        p = request.proposal
        policy = self.policy_for(p.address, request.profiles)
        finding = find_zones(p.address, p.recorded_time_zone, p.destination, request.phone_numbers)
        rules = ctx = None
        if policy is not None:
            rules = policy.for_contact(
                (p.channel, p.destination_kind, p.caller_kind, p.purpose, p.autodialed)
            )
            if rules.window_open is not None:
                times = request.inconvenient_times
                ctx = WindowContext.build(rules, p.address, p.channel, times, finding.zones)
        return Prepared(policy, rules, finding, ctx, p.destination, p.purpose, p.address.country)

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
        for cap in rules.caps:
            bound = cap_bound(cap, history, debt, zones, now)
            if bound is not None:
                out.append((cap, bound))
        for quiet in rules.quiet:
            found = quiet_bound(quiet, history, debt, zones, now)
            if found is not None:
                out.append((quiet, found))
        return out, exempt_until

    def _earliest(self, ctx: WindowContext | None, bound: datetime, now: datetime) -> datetime | None:
        if bound >= NEVER or bound - now > self.horizon:
            return None
        if ctx is None:
            return bound
        return ctx.earliest(bound, self._horizon_days)


# What a defer's reasons are written from: the request, the prepared customer, now, the binding bounds,
# when direct consent stops lifting them, and when holds end. A plain tuple: cheap to make on the hot path.
_Bounds = list[tuple[CapRule | QuietRule, datetime]]
_WhyInputs = tuple[GateRequest, Prepared, datetime, _Bounds, datetime | None, datetime | None]


def _why(inputs: _WhyInputs) -> list[Reason]:
    """Every rule that holds a contact back now: windows in each zone, binding caps and quiet, holds.

    Formatting a reason per zone, window and cap costs more than deciding, and a planner that defers a
    step it has already recorded never reads them, so a defer writes them only when someone asks.
    """
    request, prep, now, bounds, exempt_until, hold_until = inputs
    policy, rules, ctx = prep.policy, prep.rules, prep.ctx
    assert policy is not None and rules is not None
    why = window_reasons(ctx, rules, policy, prep.finding.zones, now) if ctx is not None else []
    for rule, bound in bounds:
        if exempt_until is not None and rule.direct_consent_exempt:
            continue
        why.append(checks.reason(rule, _bound_message(rule, bound)))
    if hold_until is not None:
        why += checks.hold_deferral_reasons(request, policy, now)
    return _unique(why)


class _Deferred(Decision):
    """A DEFER decision whose `reasons` are computed on first access (see `_why`); otherwise a Decision."""

    __slots__ = ("_computed", "_why")
    _computed: tuple[Reason, ...] | None
    _why: _WhyInputs

    def __init__(
        self,
        why: _WhyInputs,
        not_before: datetime,
        zones: tuple[str, ...],
        chosen: tuple[str, ...],
        inputs: tuple[str, ...],
    ) -> None:
        put = object.__setattr__  # frozen dataclass: fields are set once, here
        put(self, "verdict", Verdict.DEFER)
        put(self, "not_before", not_before)
        put(self, "time_zones", zones)
        put(self, "disclosures", chosen)
        put(self, "zone_inputs", inputs)
        put(self, "validation_period_end", None)
        put(self, "_why", why)
        put(self, "_computed", None)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        computed: tuple[Reason, ...] | None = self._computed
        if computed is None:
            computed = tuple(_why(self._why))
            object.__setattr__(self, "_computed", computed)
        return computed


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
