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
    rectification_items: int = 0   # oversight topics' rectification items (issues/scale.py), ~34 per topic


PROFILES = {
    "small": Profile("small", extra_districts=0, deputies=200, referrals=2_000, years=2,
                     rectification_items=1_000),
    "county": Profile("county", extra_districts=1, deputies=2_000, referrals=20_000, years=5,
                      rectification_items=10_000),
    # ~90 organisations, ~15,000 deputies, 200k referrals over ten years, ~2,900 topics with 100k items.
    "municipality": Profile("municipality", extra_districts=4, deputies=15_000, referrals=200_000, years=10,
                            rectification_items=100_000),
}

# Districts beyond the demo's four: code, name, branch procuratorate, liaison stations.
EXTRA_DISTRICTS = [
    ("DG", "东港区", "B1", ["港城街道", "海棠街道"]),
    ("XS", "西山区", "B2", ["翠屏街道", "金竹街道"]),
    ("LJ", "临江县", "B1", ["临江镇", "石门镇"]),
    ("QX", "青溪县", "B2", ["青溪镇", "龙潭乡"]),
]
