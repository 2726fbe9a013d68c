"""The small county the loading tests share: two partnerships of five schools, seed 7 (whose
year has a school with no eligible lead reviewer, so an LA job schedules one partnership)."""

from __future__ import annotations

from demo.county.generate import CountySize

SEED = 7
SMALL = CountySize(partnerships=2, min_schools=5, max_schools=5, target_schools=None)
