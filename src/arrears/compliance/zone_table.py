"""US states and the zones they span, with 3-digit ZIP prefixes known to sit in a single zone.

Deliberately conservative: a prefix that straddles a zone line, or one not listed for a split state,
resolves to every zone of the state, so the gate contacts only in the overlap of their windows. Adding a
prefix here can only narrow the candidates, never widen them.
"""

from __future__ import annotations

ET = "America/New_York"
CT = "America/Chicago"
MT = "America/Denver"
AZ = "America/Phoenix"
PT = "America/Los_Angeles"
AK = "America/Anchorage"
HAK = "America/Adak"
HI = "Pacific/Honolulu"
BOISE = "America/Boise"
DETROIT = "America/Detroit"
INDY = "America/Indiana/Indianapolis"

US_STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": (CT,), "AK": (AK, HAK), "AZ": (AZ, MT), "AR": (CT,), "CA": (PT,), "CO": (MT,), "CT": (ET,),
    "DE": (ET,), "DC": (ET,), "FL": (ET, CT), "GA": (ET,), "HI": (HI,), "ID": (BOISE, PT), "IL": (CT,),
    "IN": (INDY, CT), "IA": (CT,), "KS": (CT, MT), "KY": (ET, CT), "LA": (CT,), "ME": (ET,), "MD": (ET,),
    "MA": (ET,), "MI": (DETROIT, CT), "MN": (CT,), "MS": (CT,), "MO": (CT,), "MT": (MT,), "NE": (CT, MT),
    "NV": (PT, MT), "NH": (ET,), "NJ": (ET,), "NM": (MT,), "NY": (ET,), "NC": (ET,), "ND": (CT, MT),
    "OH": (ET,), "OK": (CT,), "OR": (PT, MT), "PA": (ET,), "RI": (ET,), "SC": (ET,), "SD": (CT, MT),
    "TN": (CT, ET), "TX": (CT, MT), "UT": (MT,), "VT": (ET,), "VA": (ET,), "WA": (PT,), "WV": (ET,),
    "WI": (CT,), "WY": (MT,), "PR": ("America/Puerto_Rico",), "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",), "AS": ("Pacific/Pago_Pago",), "MP": ("Pacific/Saipan",),
}  # fmt: skip


def _prefixes(zone: str, *ranges: tuple[int, int]) -> dict[str, str]:
    return {f"{p:03d}": zone for lo, hi in ranges for p in range(lo, hi + 1)}


# For split states only: ZIP3 prefixes that lie wholly in one zone.
US_ZIP3_ZONE: dict[str, dict[str, str]] = {
    "AZ": _prefixes(AZ, (850, 859)),
    "FL": {**_prefixes(ET, (320, 323), (326, 349)), "325": CT},
    "ID": {**_prefixes(BOISE, (832, 834), (836, 837)), "838": PT},
    "IN": _prefixes(INDY, (460, 462), (466, 474)),
    "KS": _prefixes(CT, (660, 676)),
    "KY": {**_prefixes(ET, (400, 418)), **_prefixes(CT, (420, 424))},
    "MI": _prefixes(DETROIT, (480, 497)),
    "NE": _prefixes(CT, (680, 689)),
    "NV": _prefixes(PT, (889, 897)),
    "ND": _prefixes(CT, (580, 585), (587, 587)),
    "OR": _prefixes(PT, (970, 978)),
    "SD": _prefixes(CT, (570, 575)),
    "TN": {**_prefixes(CT, (370, 372), (380, 384)), **_prefixes(ET, (376, 379))},
    "TX": {**_prefixes(CT, (750, 797)), "799": MT, "885": MT},
    "AK": _prefixes(AK, (996, 999)),
}
