"""Command line: ``python -m mapping prepare | build | fetch | deck | info``."""

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


def deck_command(args: argparse.Namespace) -> int:
    """``python -m mapping deck``: 0 = every link made a slide, 3 = some were skipped (named), 2 = nothing written."""
    import os

    from mapping.deck.build import DEFAULT_BASE_URL, build
    from mapping.deck.model import Deck, DeckError, clean_title, from_json

    if not args.out and not args.html:
        _say("Name a file to write: --out deck.pptx and/or --html deck.html.")
        return 2
    if args.db:
        os.environ["CLUSTERMAP_DB"] = str(Path(args.db).resolve())
    if not config.db_path().exists():
        _say(f"No database at {config.db_path()}: run `make run` (or python -m mapping prepare) first.")
        return 2
    deck = Deck()
    try:
        if args.deck_file:
            deck, problems = from_json(Path(args.deck_file).read_bytes())
            for problem in problems:
                _say(f"SKIPPED {problem}")
        items = [(s.link, s.title) for s in deck.slides] + [(link, "") for link in args.links]
        if not items:
            _say("No view links given (pass links, or --from a deck file).")
            return 2
        result = build(
            items,
            title=clean_title(args.title) or deck.title,
            pptx=Path(args.out) if args.out else None,
            html=Path(args.html) if args.html else None,
            base_url=args.base_url or DEFAULT_BASE_URL,
            say=_say,
        )
    except (DeckError, OSError) as exc:
        _say(f"DECK NOT WRITTEN: {exc}")
        return 2
    for path in result.written:
        _say(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    _say(f"{len(result.made)} slides in {result.seconds:.1f} s; {len(result.skipped)} link(s) skipped.")
    return 3 if result.skipped else 0


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

    d = sub.add_parser("deck", help="build a presentation deck (PowerPoint, offline HTML) from view links")
    d.add_argument("links", nargs="*", help="view links of this app (copied from Share or Add to deck)")
    d.add_argument("--from", dest="deck_file", help="a deck file (JSON) saved on the Deck page")
    d.add_argument("--out", help="PowerPoint file to write (.pptx)")
    d.add_argument("--html", help="offline HTML slideshow to write")
    d.add_argument("--title", help="the deck's title (default: the deck file's, or 'EU cluster mapping')")
    d.add_argument("--base-url", default=None, help="where the live views are (default: http://localhost:8501)")
    d.add_argument("--db", help="DuckDB file (default: $CLUSTERMAP_DB or data/clustermap.duckdb)")

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
    if args.command == "deck":
        return deck_command(args)
    if args.command == "info":
        print(f"sources folder: {config.sources_dir()} ({config.sources_origin()})")
        print(f"database:       {config.db_path()}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
