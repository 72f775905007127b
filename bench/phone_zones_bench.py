"""First-call cost of `phone_zones`: phonenumbers' own path (reference) vs. the fast E.164 path.

    .venv/bin/python bench/phone_zones_bench.py [--numbers 100000] [--repeat 3]

A planner working a portfolio sees each customer's number once, so what matters is the cost of a cache
miss. The numbers are distinct and mixed like a real portfolio (US/CA across every NANP area code
phonenumbers knows, GB, DE, IN and FR mobiles and landlines, a few toll-free numbers). Every run starts
with all caches cleared: `phone_zones`' lru_cache, the zone-name caches, the fast path's compiled
per-region tables and `re`'s cache (so both sides pay for compiling their patterns). phonenumbers'
metadata is loaded once beforehand, as it would be in a running planner. CPU time
(`time.process_time`), best of --repeat runs; both sides pay the lru_cache miss. "Tables already built"
keeps the compiled tables between runs (a long-running planner).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import time
from collections.abc import Callable
from functools import lru_cache

from phonenumbers.tzdata import TIMEZONE_DATA

from arrears.compliance import phone_types, zones

_DIGITS = "0123456789"


def _rand(rng: random.Random, count: int) -> str:
    return "".join(rng.choices(_DIGITS, k=count))


def _nanp(rng: random.Random, area_codes: list[str]) -> str:
    return f"+1{rng.choice(area_codes)}{rng.randint(2, 9)}{_rand(rng, 6)}"


def _generators(area_us: list[str], area_ca: list[str]) -> list[tuple[float, Callable[[random.Random], str]]]:
    """(share, generator) pairs: the mix of a US collector with some international customers."""
    return [
        (0.50, lambda r: _nanp(r, area_us)),
        (0.08, lambda r: _nanp(r, area_ca)),
        (0.02, lambda r: f"+1{r.choice(('800', '888', '877', '866'))}{r.randint(2, 9)}{_rand(r, 6)}"),
        (0.05, lambda r: f"+447{r.choice('1234578')}{_rand(r, 8)}"),
        (0.03, lambda r: f"+44{r.choice(('20', '121', '161', '131', '113', '1865'))}{_rand(r, 7)}"[:13]),
        (0.05, lambda r: f"+491{r.choice(('51', '52', '57', '60', '62', '70', '71', '76'))}{_rand(r, 8)}"),
        (0.03, lambda r: f"+49{r.choice(('30', '40', '89', '221', '69', '711'))}{_rand(r, 7)}"),
        (0.08, lambda r: f"+91{r.choice('6789')}{_rand(r, 9)}"),
        (0.04, lambda r: f"+91{r.choice(('11', '22', '33', '44', '80'))}{_rand(r, 8)}"),
        (0.07, lambda r: f"+33{r.choice('67')}{_rand(r, 8)}"),
        (0.05, lambda r: f"+33{r.choice('12345')}{_rand(r, 8)}"),
    ]


def portfolio(count: int, seed: int = 20261122) -> list[str]:
    """`count` distinct numbers, in random order, mixed as described in the module docstring."""
    rng = random.Random(seed)
    nanp = sorted(k[1:] for k in TIMEZONE_DATA if len(k) == 4 and k.startswith("1"))
    canadian = {"204", "226", "236", "249", "250", "289", "306", "343", "365", "403", "416", "418"}
    canadian |= {"431", "437", "438", "450", "506", "514", "519", "548", "579", "581", "587", "604"}
    canadian |= {"613", "639", "647", "705", "709", "778", "780", "782", "807", "819", "825", "867"}
    canadian |= {"873", "902", "905"}
    area_ca = [a for a in nanp if a in canadian]
    area_us = [a for a in nanp if a not in canadian]
    generators = _generators(area_us, area_ca)
    weights = [share for share, _ in generators]
    seen: set[str] = set()
    while len(seen) < count:
        _, make = rng.choices(generators, weights)[0]
        seen.add(make(rng))
    numbers = sorted(seen)
    rng.shuffle(numbers)
    return numbers


def _clear(tables: bool = True) -> None:
    """Empty every cache; `tables=False` keeps the fast path's compiled tables (a running planner's)."""
    zones.phone_zones.cache_clear()
    zones._CLEANED.clear()
    zones.canonical.cache_clear()
    zones.zone.cache_clear()
    if tables:  # and re's own cache, which would otherwise hand back the compiled patterns
        phone_types._REGIONS.clear()
        phone_types._CODES.clear()
        re.purge()


def _best(
    make: Callable[[], Callable[[str], tuple[str, ...]]], numbers: list[str], repeat: int, tables: bool = True
) -> float:
    """Best CPU seconds over `repeat` cold runs (`make` gives the function with empty caches)."""
    best = float("inf")
    for _ in range(repeat):
        _clear(tables)
        fn = make()
        start = time.process_time()
        for number in numbers:
            fn(number)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    numbers = portfolio(args.numbers)
    for number in numbers[:2000]:  # load phonenumbers' metadata for the regions involved
        zones._phone_zones_reference(number)
    mismatches = sum(zones._phone_zones_reference(n) != zones.phone_zones(n) for n in numbers[:5000])
    fallbacks = sum(phone_types.time_zones_e164(n) is None for n in numbers)
    with_zones = sum(bool(zones.phone_zones(n)) for n in numbers)
    # "before" is the old phone_zones: the reference body behind the same lru_cache, so both pay a miss.
    reference = _best(lambda: lru_cache(maxsize=262144)(zones._phone_zones_reference), numbers, args.repeat)
    fast = _best(lambda: zones.phone_zones, numbers, args.repeat)
    steady = _best(lambda: zones.phone_zones, numbers, args.repeat, tables=False)
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"{len(numbers):,} distinct numbers, {with_zones:,} with zones, {fallbacks:,} fell back")
    print(f"mismatches in the first 5,000: {mismatches}")
    per = 1e6 / len(numbers)
    print(f"before (reference, lru_cache miss): {reference * per:6.2f} us/number")
    print(f"after, tables built during the run: {fast * per:6.2f} us/number ({reference / fast:.1f}x)")
    print(f"after, tables already built:        {steady * per:6.2f} us/number ({reference / steady:.1f}x)")


if __name__ == "__main__":
    main()
