"""``python -m bench [name ...]``: run the named benchmarks (all when none is named)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bench import gias, knowledge, overload, review_read, solver

BENCHMARKS: dict[str, Callable[[], object]] = {
    "gias": gias.main,
    "solver": solver.main,
    "review_read": review_read.main,
    "knowledge": knowledge.main,
    "overload": overload.main,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=list(BENCHMARKS), help="default: all")
    names = parser.parse_args().names or list(BENCHMARKS)
    for name in names:
        BENCHMARKS[name]()


if __name__ == "__main__":
    main()
