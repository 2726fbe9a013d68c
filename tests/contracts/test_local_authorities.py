"""The LA code table: England's 153 local authorities today, and the codes reorganisations
retired (closed schools keep them)."""

from __future__ import annotations

import re

from contracts.local_authorities import LA_NAMES, la_name

RETIRED = {"835", "836", "837", "909", "928"}  # Dorset, Poole, Bournemouth; Cumbria; Northants


def test_every_english_la_by_its_three_digit_code() -> None:
    assert all(re.fullmatch(r"\d{3}", code) for code in LA_NAMES)
    assert len(set(LA_NAMES) - RETIRED) == 153
    assert len(set(LA_NAMES.values())) == len(LA_NAMES) - 1  # Dorset: 835, then 838
    assert (la_name("881"), la_name("882"), la_name("883")) == (
        "Essex",
        "Southend-on-Sea",
        "Thurrock",
    )
    assert (la_name("942"), la_name("943")) == ("Cumberland", "Westmorland and Furness")


def test_an_unknown_code_has_no_name() -> None:
    assert la_name("000") is None
    assert la_name("660") is None  # a Welsh LA: not in the English table
    assert la_name(None) is None
