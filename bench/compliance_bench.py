"""Contact-gate throughput: decisions per second on one core for a typical history.

Typical: a US third-party collector, customers spread over states (MA, TX, FL, CA, NY) with a mobile
number each, up to 20 prior attempts across voice, SMS and e-mail, consents on file, the odd hold and
opt-out, asked at random instants over a few days (so allows, defers and denies all occur).
Run: .venv/bin/python bench/compliance_bench.py [--n 200000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from arrears.compliance.gate import ProfileGate
from arrears.compliance.model import (
    Address,
    CallerKind,
    ConsentFact,
    ContactChannel,
    ContactProposal,
    DestinationKind,
    GateRequest,
    HoldFact,
    OptOutFact,
    PriorContact,
)
from arrears.compliance.profiles import TenantSettings

PLACES = [
    (Address("US", "MA", "Boston", "02139"), "+1617555{:04d}"),
    (Address("US", "TX", "Austin", "78701"), "+1512555{:04d}"),
    (Address("US", "FL", "Miami", "33101"), "+1305555{:04d}"),
    (Address("US", "CA", "Los Angeles", "90012"), "+1213555{:04d}"),
    (Address("US", "NY", "Albany", "12207"), "+1518555{:04d}"),
]
CHANNELS = [ContactChannel.VOICE, ContactChannel.VOICE, ContactChannel.SMS, ContactChannel.EMAIL]


def make_requests(n: int, seed: int = 7) -> list[GateRequest]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        address, pattern = rng.choice(PLACES)
        number = pattern.format(i % 10000)
        now = start + timedelta(seconds=rng.randrange(5 * 86400))
        channel = rng.choice(CHANNELS)
        dest = number if channel is not ContactChannel.EMAIL else f"c{i}@mail.example"
        kind = DestinationKind.PERSONAL_EMAIL if channel is ContactChannel.EMAIL else DestinationKind.MOBILE
        caller = CallerKind.HUMAN if channel is ContactChannel.VOICE else CallerKind.TEXT
        proposal = ContactProposal(f"p{i}", "d1", channel, dest, kind, caller_kind=caller, address=address)
        history = tuple(
            PriorContact(
                now - timedelta(seconds=rng.randrange(60, 30 * 86400)),
                rng.choice(CHANNELS),
                number,
                DestinationKind.MOBILE,
                "d1",
                connected=rng.random() < 0.4,
                conversation=rng.random() < 0.05,
            )
            for _ in range(rng.randrange(0, 21))
        )
        consents = (ConsentFact(ContactChannel.SMS, number, now - timedelta(days=60), "application"),)
        holds = (HoldFact("dispute"),) if rng.random() < 0.02 else ()
        stop = OptOutFact(ContactChannel.SMS, None, now - timedelta(days=3))
        opt_outs = (stop,) if rng.random() < 0.03 else ()
        out.append(GateRequest(proposal, now, history, holds, consents, opt_outs, phone_numbers=(number,)))
    return out


def run(gate: ProfileGate, requests: list[GateRequest]) -> float:
    """CPU seconds of this process (not wall time: the 2 cores are shared with other workers)."""
    decide = gate.decide
    started = time.process_time()
    for request in requests:
        decide(request)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    args = parser.parse_args()
    gate = ProfileGate(tenant=TenantSettings(collector_kind="third_party"))
    requests = make_requests(args.n)
    verdicts = Counter(gate.decide(r).verdict.value for r in requests[:20_000])
    histories = sum(len(r.history) for r in requests) / len(requests)
    cold = run(ProfileGate(tenant=TenantSettings(collector_kind="third_party")), requests[:2_000])
    best = min(run(gate, requests) for _ in range(3))
    print(f"requests: {len(requests):,}  mean history: {histories:.1f} prior attempts")
    print(f"verdict mix (first 20k): {dict(verdicts)}")
    print(f"cold start, first 2,000 decisions: {2_000 / cold:,.0f} decisions/s")
    each = best / len(requests) * 1e6
    print(f"warm, best of 3, all verdicts: {len(requests) / best:,.0f} decisions/s ({each:.2f} us each)")
    by_verdict: dict[str, list[GateRequest]] = {}
    for request in requests[:40_000]:
        by_verdict.setdefault(gate.decide(request).verdict.value, []).append(request)
    for verdict, subset in sorted(by_verdict.items()):
        took = min(run(gate, subset) for _ in range(3))
        print(
            f"  {verdict:>5}: {len(subset) / took:,.0f} decisions/s ({took / len(subset) * 1e6:.2f} us each)"
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, gate, requests[:50_000])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
