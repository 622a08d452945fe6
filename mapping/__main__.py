"""Command line: ``python -m mapping prepare | build | fetch | info``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mapping import config


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _build(sources: Path, db: Path, *, allow_missing: bool, if_stale: bool) -> int:
    from mapping.ingest import BuildError, build
    from mapping.ingest.freshness import is_fresh

    if if_stale and is_fresh(db, sources):
        _say(f"{db.name} is up to date with the sources folder; nothing to build.")
        return 0
    try:
        build(sources, db, allow_missing=allow_missing)
    except BuildError as exc:
        _say(f"BUILD FAILED: {exc}\nThe previous database (if any) is unchanged: {db}")
        return 2
    return 0


def prepare(sources_arg: str | None = None, db_arg: str | None = None, *, offline: bool = False) -> int:
    """What ``make run`` does before serving: a sources folder (fetched when there is none), then a build when stale.

    A source that cannot be fetched is recorded as missing by the build, and the app says so where it would be
    used; only missing boundaries stop here, with a message that says how to get them.
    """
    sources = config.sources_dir(sources_arg)
    db = config.db_path(db_arg)
    origin = config.sources_origin(sources_arg)
    _say(f"Sources folder: {sources} ({origin})")
    if origin == "fetched" and not offline:
        from mapping.fetch import FetchError, fetch

        _say(
            "No sources folder beside the checkout: fetching the official files into data/sources/ "
            "(files already fetched are kept; an interrupted download resumes)."
        )
        try:
            fetch(sources)
        except FetchError as exc:
            n = len(exc.report.failures) if exc.report else "Some"
            _say(f"{n} download(s) failed (listed above); the build records those sources as missing.")
    return _build(sources, db, allow_missing=True, if_stale=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mapping", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="sources folder (fetched when there is none), then build when stale")
    p.add_argument("--sources", help="sources folder (default: $CLUSTERMAP_SOURCES, ../shared/data, data/sources)")
    p.add_argument("--db", help="DuckDB file to write (default: $CLUSTERMAP_DB or data/clustermap.duckdb)")
    p.add_argument("--offline", action="store_true", help="do not download; build from what is there")

    b = sub.add_parser("build", help="build the DuckDB file from the sources folder")
    b.add_argument("--sources", help="sources folder (default: $CLUSTERMAP_SOURCES, ../shared/data, data/sources)")
    b.add_argument("--db", help="DuckDB file to write (default: $CLUSTERMAP_DB or data/clustermap.duckdb)")
    b.add_argument(
        "--allow-missing",
        action="store_true",
        help="record absent or unreadable sources (except the boundaries) instead of stopping",
    )
    b.add_argument("--if-stale", action="store_true", help="do nothing when the DB was built from these very files")

    f = sub.add_parser("fetch", help="download the official source files into a sources folder")
    f.add_argument("--to", help="target folder (default: data/sources)")
    f.add_argument("--only", nargs="*", help="source ids to fetch (default: all with official URLs)")
    f.add_argument("--refresh", action="store_true", help="download again files already fetched (new releases)")
    f.add_argument("--timeout", type=float, default=300.0, help="seconds per download")

    sub.add_parser("info", help="print where sources and DB are resolved to")

    args = parser.parse_args(argv)
    if args.command == "prepare":
        return prepare(args.sources, args.db, offline=args.offline)
    if args.command == "build":
        sources = config.sources_dir(args.sources)
        return _build(sources, config.db_path(args.db), allow_missing=args.allow_missing, if_stale=args.if_stale)
    if args.command == "fetch":
        from mapping.fetch import FetchError, fetch

        try:
            fetch(args.to or config.LOCAL_SOURCES, only=args.only, timeout=args.timeout, refresh=args.refresh)
        except FetchError as exc:
            _say(f"FETCH FAILED: {exc}")
            return 2
        return 0
    if args.command == "info":
        print(f"sources folder: {config.sources_dir()} ({config.sources_origin()})")
        print(f"database:       {config.db_path()}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
