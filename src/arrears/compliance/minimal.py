"""The stop-gap gate: 08:00-21:00 in the customer's recorded zone, opted-out channels blocked.

The full profile-driven gate replaces it behind the same `ContactGate` seam.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.compliance.model import Decision, GateRequest, Reason, Verdict

_OPEN = time(8, 0)
_CLOSE = time(21, 0)


class MinimalGate:
    def decide(self, request: GateRequest) -> Decision:
        proposal = request.proposal
        for opt_out in request.opt_outs:
            channel_match = opt_out.channel is None or opt_out.channel == proposal.channel
            dest_match = opt_out.destination is None or opt_out.destination == proposal.destination
            if channel_match and dest_match and opt_out.at <= request.now:
                return Decision(Verdict.DENY, (Reason("minimal.opt_out", "customer request", "opted out"),))
        for hold in request.holds:
            if hold.until is None or hold.until > request.now:
                return Decision(Verdict.DENY, (Reason("minimal.hold", "account hold", f"{hold.kind} hold"),))
        if proposal.recorded_time_zone is None:
            return Decision(Verdict.DENY, (Reason("minimal.unknown_tz", "fail closed", "no time zone"),))
        try:
            zone = ZoneInfo(proposal.recorded_time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return Decision(Verdict.DENY, (Reason("minimal.unknown_tz", "fail closed", "bad time zone"),))
        local = request.now.astimezone(zone)
        zones = (proposal.recorded_time_zone,)
        if _OPEN <= local.time() < _CLOSE:
            return Decision(Verdict.ALLOW, time_zones=zones)
        day = local.date() if local.time() < _OPEN else local.date() + timedelta(days=1)
        opens = datetime.combine(day, _OPEN, tzinfo=zone)
        reason = Reason("minimal.window", "08:00-21:00 local", f"outside hours at {local:%H:%M} local")
        return Decision(
            Verdict.DEFER, (reason,), not_before=opens.astimezone(request.now.tzinfo), time_zones=zones
        )
