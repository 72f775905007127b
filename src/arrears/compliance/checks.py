"""The fact-based checks: opt-outs, holds, consent, barred destinations, places and do-not-contact lists.

These do not depend on the clock except through holds that carry an end date, which become a lower bound
on the send time. Each check returns the reasons it refuses, so a refusal lists every rule that applies,
not merely the first one found: the compliance officer asking "why" sees the whole picture.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from arrears.compliance.model import CONSENT_NOT_NEEDED, ConsentFact, GateRequest, Purpose, Reason
from arrears.compliance.policy import ContactRules, Policy
from arrears.compliance.schema import RuleRef

_CEASE_PURPOSES = (Purpose.CEASE_CONFIRMATION, Purpose.REMEDY_NOTICE)


@lru_cache(maxsize=262144)
def normalise_destination(value: str) -> str:
    """Phone numbers compare on '+' and digits, e-mail addresses case-insensitively."""
    value = value.strip()
    if "@" in value:
        return value.lower()
    if value.startswith("+"):
        return "+" + "".join(ch for ch in value if ch.isdigit())
    return value.lower()


def reason(rule: RuleRef, message: str) -> Reason:
    return Reason(rule.id, rule.source, message)


def has_consent(request: GateRequest, now: datetime) -> bool:
    """A consent record for this channel and destination, granted by now and not revoked by now."""
    proposal = request.proposal
    dest = normalise_destination(proposal.destination)
    return any(_consent_valid(c, proposal.channel, dest, now) for c in request.consents)


def _consented(consents: tuple[ConsentFact, ...], channel: object, dest: str, now: datetime) -> bool:
    """`has_consent` for a destination already normalised: one plain loop, no call per record."""
    for c in consents:
        if c.channel != channel or c.granted_at > now:
            continue
        if (c.revoked_at is None or c.revoked_at > now) and normalise_destination(c.destination) == dest:
            return True
    return False


def _consent_valid(consent: ConsentFact, channel: object, dest: str, now: datetime) -> bool:
    return (
        consent.channel == channel
        and normalise_destination(consent.destination) == dest
        and consent.granted_at <= now
        and (consent.revoked_at is None or consent.revoked_at > now)
    )


def opt_out_reasons(request: GateRequest, policy: Policy) -> list[Reason]:
    """Opt-outs suppress at once; the one permitted confirmation of an opt-out is the only exception."""
    proposal = request.proposal
    dest = normalise_destination(proposal.destination)
    matching = [
        o
        for o in request.opt_outs
        if (o.channel is None or o.channel == proposal.channel)
        and (o.destination is None or normalise_destination(o.destination) == dest)
    ]
    if proposal.purpose is Purpose.OPT_OUT_CONFIRMATION:
        if not matching:
            return [reason(policy.opt_out_rule("revocation"), "no opt-out on this destination to confirm")]
        latest = max(o.at for o in matching)
        already = any(
            c.channel == proposal.channel
            and normalise_destination(c.destination) == dest
            and c.at >= latest
            and not c.consumer_initiated
            for c in request.history
        )
        if already:
            return [reason(policy.opt_out_rule("revocation"), "the one confirmation was already sent")]
        return []
    return [
        reason(
            policy.opt_out_rule(o.reason), f"{o.reason} on {o.channel or 'every channel'} at {o.at:%Y-%m-%d}"
        )
        for o in matching
    ]


def hold_reasons(request: GateRequest, policy: Policy, now: datetime) -> tuple[list[Reason], datetime | None]:
    """Holds without an end refuse; holds that end later defer to their end (returned as a lower bound)."""
    proposal = request.proposal
    reasons: list[Reason] = []
    bound: datetime | None = None
    for hold in request.holds:
        if hold.debt_id is not None and hold.debt_id != proposal.debt_id:
            continue
        if hold.channel is not None and hold.channel != proposal.channel:
            continue
        if hold.until is not None and hold.until <= now:
            continue
        rule = policy.hold_rule(hold.kind)
        if proposal.purpose in rule.permitted_purposes:
            continue
        if hold.until is None:
            reasons.append(reason(rule, f"{hold.kind} hold"))
        else:
            bound = hold.until if bound is None else max(bound, hold.until)
    return reasons, bound


def hold_deferral_reasons(request: GateRequest, policy: Policy, now: datetime) -> list[Reason]:
    """The holds that end later, named when a decision is deferred because of them."""
    out = []
    for hold in request.holds:
        if hold.until is None or hold.until <= now:
            continue
        if hold.debt_id not in (None, request.proposal.debt_id) or hold.channel not in (
            None,
            request.proposal.channel,
        ):
            continue
        rule = policy.hold_rule(hold.kind)
        if request.proposal.purpose not in rule.permitted_purposes:
            out.append(reason(rule, f"{hold.kind} hold until {hold.until.isoformat()}"))
    return out


def fact_reasons(
    request: GateRequest,
    policy: Policy,
    rules: ContactRules,
    now: datetime,
    dest: str | None = None,
    consent_matters: bool = True,
) -> list[Reason]:
    """Every fact-based refusal: consent, barred destinations, places, do-not-contact, purpose consent.

    `dest` is the normalised destination and `consent_matters` whether any rule here reads consent, when
    the caller worked them out already (the gate does, once per customer and kind of contact).
    """
    proposal = request.proposal
    out: list[Reason] = []
    if dest is None:
        dest = normalise_destination(proposal.destination)
    if consent_matters:
        consented = _consented(request.consents, proposal.channel, dest, now)
        if rules.consent and proposal.purpose not in CONSENT_NOT_NEEDED and not consented:
            rule = rules.consent[0]
            message = f"no prior express consent for {proposal.caller_kind} {proposal.channel}"
            out.append(reason(rule, message))
        for barred in rules.destinations:
            if not (barred.unless_consent and consented):
                out.append(reason(barred, f"{proposal.destination_kind} is barred"))
        for purpose_rule in rules.purpose_consent:
            if not consented:
                out.append(reason(purpose_rule, f"{proposal.purpose} needs consent on the destination"))
    if request.inconvenient_places or request.do_not_contact:
        for place in request.inconvenient_places:
            if (place.destination is not None and normalise_destination(place.destination) == dest) or (
                place.destination_kind is not None and place.destination_kind == proposal.destination_kind
            ):
                out.append(reason(policy.inconvenient_place, f"inconvenient place ({place.reason})"))
        for entry in request.do_not_contact:
            if (entry.channel is None or entry.channel == proposal.channel) and normalise_destination(
                entry.destination
            ) == dest:
                out.append(reason(policy.do_not_contact, f"on do-not-contact list {entry.list_name}"))
    return out
