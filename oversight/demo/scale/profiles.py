"""How big each profile is (DESIGN.md §6 for the municipality)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    extra_districts: int     # districts added to the demo municipality's four
    deputies: int            # deputies spread over the liaison stations
    referrals: int
    years: int               # the referrals' history ends today and starts this many years back
    chunk: int = 2000        # referrals per transaction: the unit of progress and of resuming
    clues: int = 0           # public clues (oversight/clues/scale.py), spread over the same years
    meetings: int = 0        # liaison meetings over the same years (liaison.scale)
    rectification_items: int = 0   # oversight topics' rectification items (issues/scale.py), ~34 per topic


PROFILES = {
    "small": Profile("small", extra_districts=0, deputies=200, referrals=2_000, years=2, clues=10_000, meetings=200,
                     rectification_items=1_000),
    "county": Profile("county", extra_districts=1, deputies=2_000, referrals=20_000, years=5, clues=100_000,
                      meetings=2_000, rectification_items=10_000),
    # ~90 organisations, ~15,000 deputies, 200k referrals, 1M clues from the public and the liaison stations,
    # 20k liaison meetings and ~2,900 oversight topics with 100k rectification items over ten years.
    "municipality": Profile("municipality", extra_districts=4, deputies=15_000, referrals=200_000, years=10,
                            clues=1_000_000, meetings=20_000, rectification_items=100_000),
}

# Districts beyond the demo's four: code, name, branch procuratorate, liaison stations.
EXTRA_DISTRICTS = [
    ("DG", "东港区", "B1", ["港城街道", "海棠街道"]),
    ("XS", "西山区", "B2", ["翠屏街道", "金竹街道"]),
    ("LJ", "临江县", "B1", ["临江镇", "石门镇"]),
    ("QX", "青溪县", "B2", ["青溪镇", "龙潭乡"]),
]
