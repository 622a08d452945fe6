"""``python -m bench [area ...]``: run the benchmarks and print one table of figures with goals."""

from __future__ import annotations

import importlib
import sys

from bench.common import print_table

AREAS = ["build", "fetch", "map", "clusters", "related", "scoreboard", "exports", "deck", "load", "attack", "browser"]


def main(argv: list[str]) -> int:
    areas = argv or AREAS
    figures = []
    for area in areas:
        module = importlib.import_module(f"bench.{area}")
        print(f"running {area} ...", file=sys.stderr, flush=True)
        sys.stdout.flush()
        figures.extend(module.run())
    print_table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
