"""GIAS extracts in the real layout (Windows-1252, headers as DfE publishes them), for the
benchmark and the tests: a synthetic national extract of any size, or rows written by hand."""

from __future__ import annotations

import random

# The layout (headers, the cp1252 writer, a default row) lives in the demo package, which loads
# a whole synthetic county with it; re-exported here for the benchmark and the tests.
from demo.gias.layout import (
    ESTABLISHMENT_COLUMNS,
    GROUP_COLUMNS,
    LINK_COLUMNS,
    establishment,
    to_cp1252,
)

__all__ = [
    "ESTABLISHMENT_COLUMNS",
    "GROUP_COLUMNS",
    "LINK_COLUMNS",
    "changed",
    "establishment",
    "national_establishments",
    "to_cp1252",
]

PHASES = ("Primary", "Primary", "Primary", "Secondary", "Nursery", "16 plus", "All-through",
          "Middle deemed primary", "Not applicable")  # fmt: skip
TYPES = ("Community school", "Academy converter", "Voluntary aided school",
         "Academy sponsor led", "Foundation school")  # fmt: skip
LAS = ("881", "882", "883", "202", "330", "926", "855", "873", "919", "340")


def national_establishments(count: int, *, seed: int = 1, first_urn: int = 100000) -> bytes:
    """``count`` schools over ten LAs, cp1252 names (a curly apostrophe, an E circumflex),
    1 in 20 in a trust."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        urn = first_urn + i
        la = LAS[i % len(LAS)]
        phase = PHASES[rng.randrange(len(PHASES))]
        rows.append(
            establishment(
                urn,
                **{
                    "LA (code)": la,
                    "LA (name)": f"LA {la}",
                    "EstablishmentName": (
                        f"St Mary\u2019s C of E {phase} School {i}"
                        if i % 3 == 0
                        else f"École Ê Academy {i}"
                    ),
                    "TypeOfEstablishment (name)": (
                        "Community special school"
                        if phase == "Not applicable"
                        else TYPES[i % len(TYPES)]
                    ),
                    "PhaseOfEducation (name)": phase,
                    "Trusts (code)": str(10000 + i % 500) if i % 20 == 0 else "",
                    "Trusts (name)": f"Trust {10000 + i % 500}" if i % 20 == 0 else "",
                    "Easting": str(400000 + rng.randrange(200000)),
                    "Northing": str(100000 + rng.randrange(400000)),
                    "Postcode": f"CM{1 + i % 9} {i % 10}AB",
                    "OpenDate": f"{1 + i % 28:02d}-09-{1950 + i % 70}",
                    "NumberOfPupils": str(rng.randrange(30, 1800)),
                },
            )
        )
    return to_cp1252(ESTABLISHMENT_COLUMNS, rows)


def changed(data: bytes, every: int) -> bytes:
    """The same extract with one school in ``every`` renamed."""
    lines = data.decode("cp1252").split("\r\n")
    for index in range(1, len(lines), every):
        if lines[index]:
            lines[index] = (
                lines[index]
                .replace(" School ", " Renamed School ", 1)
                .replace(" Academy ", " Renamed Academy ", 1)
            )
    return "\r\n".join(lines).encode("cp1252")
