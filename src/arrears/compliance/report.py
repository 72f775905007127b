"""Plain-text tables for people: the rules in force for a profile, and the decisions taken for a case.

A compliance officer reads these in a terminal or pastes them into a ticket, so they are plain text with
fixed columns, no colour and no terminal-width tricks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from arrears.compliance.model import Decision
from arrears.compliance.policy import Policy
from arrears.compliance.schema import Scoped


def _scope(rule: Scoped) -> str:
    parts = []
    if rule.channels is not None:
        parts.append("/".join(rule.channels))
    if rule.destination_kinds is not None:
        parts.append("to " + "/".join(rule.destination_kinds))
    return f" [{' '.join(parts)}]" if parts else ""


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def rule_rows(policy: Policy) -> list[tuple[str, str, str]]:
    """(rule id, parameters, source) for every rule in the merged policy."""
    rows: list[tuple[str, str, str]] = []
    rows.append((policy.unknown_zone.id, "unknown time zone: no contact", policy.unknown_zone.source))
    for w in policy.windows:
        days = f", not weekdays {list(w.blocked_weekdays)}" if w.blocked_weekdays else ""
        rows.append((w.id, f"{_hhmm(w.open)}-{_hhmm(w.close)} local{days}{_scope(w)}", w.source))
    for h in policy.holidays:
        rows.append(
            (
                h.id,
                f"no contact on public holidays of {h.country or 'the address country'}{_scope(h)}",
                h.source,
            )
        )
    for c in policy.caps:
        counted = "/".join(c.count_channels) if c.count_channels else "all channels"
        basis = "per debt" if c.per_debt else "per person"
        rows.append(
            (c.id, f"max {c.max_contacts} in {c.days} days ({counted}, {basis}){_scope(c)}", c.source)
        )
    for q in policy.quiet:
        rows.append((q.id, f"{q.days} days quiet after a conversation{_scope(q)}", q.source))
    for cr in policy.consent:
        who = "/".join([*cr.caller_kinds, *(["autodialed"] if cr.autodialed else [])])
        rows.append((cr.id, f"prior express consent for {who}{_scope(cr)}", cr.source))
    for d in policy.destinations:
        unless = " unless the consumer consented" if d.unless_consent else ""
        rows.append((d.id, f"barred{unless}{_scope(d)}", d.source))
    for pc in policy.purpose_consent:
        rows.append((pc.id, f"consent needed for {'/'.join(pc.purposes)}{_scope(pc)}", pc.source))
    for kind, hold in sorted(policy.holds.items()):
        allowed = f", except {'/'.join(hold.permitted_purposes)}" if hold.permitted_purposes else ""
        rows.append((hold.id, f"hold '{kind}' blocks contact{allowed}", hold.source))
    for reason, opt in sorted(policy.opt_outs.items()):
        rows.append((opt.id, f"opt-out '{reason}' suppresses at once", opt.source))
    if policy.revocation is not None:
        rows.append(
            (
                policy.revocation.id,
                "keywords: " + ", ".join(policy.revocation.words),
                policy.revocation.source,
            )
        )
    rows.append(
        (policy.inconvenient_time.id, "customer-designated times excluded", policy.inconvenient_time.source)
    )
    rows.append(
        (
            policy.inconvenient_place.id,
            "customer/employer-designated places barred",
            policy.inconvenient_place.source,
        )
    )
    rows.append(
        (policy.do_not_contact.id, "do-not-contact list entries barred", policy.do_not_contact.source)
    )
    for disclosure in policy.disclosures.values():
        rows.append((disclosure.rule_id, f"discloses {disclosure.id} ({disclosure.when})", disclosure.source))
    for ob in policy.obligations.values():
        rows.append((ob.id, f"{ob.requirement} ({ob.enforced_by})", ob.source))
    return rows


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A fixed-width text table; the last column is left unpadded so long sources do not wrap oddly."""
    body = [list(r) for r in rows]
    widths = [max(len(str(r[i])) for r in [list(header), *body]) for i in range(len(header) - 1)]
    lines = []
    for row in [list(header), ["-" * w for w in widths] + ["-" * len(header[-1])], *body]:
        cells = [str(c).ljust(widths[i]) for i, c in enumerate(row[:-1])]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return "\n".join(lines)


def format_rules(policy: Policy) -> str:
    title = f"profiles: {' + '.join(policy.names)}"
    return title + "\n" + table(("rule", "parameters", "source"), rule_rows(policy))


def format_decisions(entries: Iterable[tuple[datetime, str, Decision]]) -> str:
    """The decisions for a case: when, what was proposed, the verdict, until when, and each reason."""
    rows = []
    for at, proposed, decision in entries:
        until = decision.not_before.isoformat() if decision.not_before else ""
        why = "; ".join(f"{r.rule_id} ({r.source}): {r.message}" for r in decision.reasons)
        extra = f" | discloses {', '.join(decision.disclosures)}" if decision.disclosures else ""
        zones = ", ".join(decision.time_zones) or "none"
        rows.append((at.isoformat(), proposed, decision.verdict.value, until, zones, (why or "-") + extra))
    return table(("asked at", "contact", "verdict", "not before", "zones", "why"), rows)


def format_zone_inputs(decisions: Iterable[Decision]) -> str:
    """Where each distinct set of candidate zones came from (address, each phone, the recorded zone).

    Printed once per distinct set rather than on every row: a case usually keeps one set, and the
    interesting moment is when it changes (a new number on file adds a zone, and the window narrows).
    """
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], None] = {}
    for decision in decisions:
        if decision.zone_inputs or decision.time_zones:
            seen[(decision.time_zones, decision.zone_inputs)] = None
    if not seen:
        return "zone inputs: none recorded (no decision needed a time zone)"
    lines = ["zone inputs:"]
    for zones, inputs in seen:
        lines.append(f"  zones {', '.join(zones) or 'none'}")
        lines.extend(f"    {entry}" for entry in inputs)
    return "\n".join(lines)
