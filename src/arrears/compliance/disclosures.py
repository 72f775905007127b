"""Which disclosures a contact must carry, chosen by the profile rather than by each template.

Initial versus subsequent follows Reg F: the first communication about a debt carries the full
Mini-Miranda (and triggers the validation notice); later ones say they are from a debt collector.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from arrears.compliance.model import GateRequest, Purpose
from arrears.compliance.policy import ContactRules
from arrears.compliance.validation import validation_period_end

VALIDATION_NOTICE = "validation_notice"


def is_initial(request: GateRequest) -> bool:
    """No communication about this debt has reached the consumer yet."""
    debt = request.proposal.debt_id
    for c in request.history:  # noqa: SIM110 - a plain loop: any() over a generator costs twice as much
        if (c.connected or c.conversation) and c.debt_id == debt:
            return False
    return True


def select(rules: ContactRules, request: GateRequest) -> tuple[str, ...]:
    if not rules.disclosures:
        return ()
    return choose(rules, is_initial(request), request.time_barred)


@lru_cache(maxsize=4096)
def choose(rules: ContactRules, initial: bool, time_barred: bool) -> tuple[str, ...]:
    """The disclosure ids for a kind of contact, first or later communication, time-barred or not."""
    return _select(rules, initial, time_barred)


def _select(rules: ContactRules, initial: bool, time_barred: bool) -> tuple[str, ...]:
    out = []
    for d in rules.disclosures:
        if d.when == "initial" and not initial:
            continue
        if d.when == "subsequent" and initial:
            continue
        if d.requires == "time_barred" and not time_barred:
            continue
        out.append(d.id)
    return tuple(out)


def for_debtor(rules: ContactRules, chosen: tuple[str, ...], request: GateRequest) -> tuple[str, ...]:
    """A business debtor gets only the disclosures of rules that protect businesses too (TCPA), never the
    consumer notices (mini-Miranda, validation notice, e-opt-out of Reg F)."""
    if not chosen or request.proposal.debtor_kind != "business":
        return chosen
    kept = {d.id for d in rules.disclosures if "business" in d.debtors}
    return tuple(i for i in chosen if i in kept)


def carries_validation_notice(
    rules: ContactRules, disclosures: tuple[str, ...], request: GateRequest
) -> bool:
    """This contact carries the validation notice, or is it (where a profile defines the notice)."""
    if VALIDATION_NOTICE in disclosures:
        return True
    is_notice = request.proposal.purpose is Purpose.VALIDATION_NOTICE
    return is_notice and any(d.id == VALIDATION_NOTICE for d in rules.disclosures)


def validation_end(
    rules: ContactRules,
    disclosures: tuple[str, ...],
    request: GateRequest,
    send_at: datetime,
    local_dates: tuple[date, ...],
) -> date | None:
    """The validation period end to print, when this contact carries or is the validation notice.

    Only where a profile defines the validation notice (Reg F); sent "today" in the latest candidate
    zone, which gives the later (consumer-friendly) end date when zones straddle midnight.
    """
    if not carries_validation_notice(rules, disclosures, request):
        return None
    sent_on = max(local_dates) if local_dates else send_at.astimezone(UTC).date()
    return validation_period_end(sent_on)
