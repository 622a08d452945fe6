"""Command line: ``python -m mapping build | fetch | info``."""

from __future__ import annotations

import argparse
import sys

from mapping import config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mapping", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the DuckDB file from the sources folder")
    b.add_argument("--sources", help="sources folder (default: $CLUSTERMAP_SOURCES, ../shared/data, data/sources)")
    b.add_argument("--db", help="DuckDB file to write (default: $CLUSTERMAP_DB or data/clustermap.duckdb)")
    b.add_argument("--allow-missing", action="store_true", help="skip sources whose files are absent (recorded)")
    b.add_argument("--if-stale", action="store_true", help="do nothing when the DB was built from these very files")

    f = sub.add_parser("fetch", help="download the official source files into a sources folder")
    f.add_argument("--to", help="target folder (default: data/sources)")
    f.add_argument("--only", nargs="*", help="source ids to fetch (default: all with official URLs)")
    f.add_argument("--timeout", type=float, default=120.0, help="seconds per download")

    sub.add_parser("info", help="print where sources and DB are resolved to")

    args = parser.parse_args(argv)
    if args.command == "build":
        from mapping.build import BuildError, build
        from mapping.build.freshness import is_fresh

        sources = config.sources_dir(args.sources)
        db = config.db_path(args.db)
        if args.if_stale and is_fresh(db, sources):
            print(f"{db} is up to date with {sources}; nothing to do.", file=sys.stderr)
            return 0
        try:
            build(sources, db, allow_missing=args.allow_missing)
        except BuildError as exc:
            print(f"BUILD FAILED: {exc}\nThe previous database (if any) is unchanged: {db}", file=sys.stderr)
            return 2
        return 0
    if args.command == "fetch":
        from mapping.fetch import FetchError, fetch

        try:
            fetch(config.LOCAL_SOURCES if not args.to else args.to, only=args.only, timeout=args.timeout)
        except FetchError as exc:
            print(f"FETCH FAILED: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "info":
        print(f"sources folder: {config.sources_dir()}")
        print(f"database:       {config.db_path()}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
