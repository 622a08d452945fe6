"""The build: sources folder -> one validated DuckDB file, swapped in atomically.

The DB is written to a temporary file beside the target; only when every reader and every
validation has passed is it moved over the previous DB (``os.replace``), so a failed build
leaves the previous DB byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from mapping import __version__
from mapping.config import PROJECT_ROOT, SHARED_SOURCES, spatial_extension_path

from . import nuts
from .derived import build_derived
from .errors import BuildError
from .manifest import Manifest, Source, load_manifest, sha256_file
from .readers import READERS

SCHEMA = Path(__file__).with_name("schema.sql")

# Readers run in this order: regions before anything that refers to them, the crosswalk before
# the tables whose old codes it places, catalogs before the indicators that use them, a full table before
# the extract it supersedes.
READER_ORDER = [
    "nuts_labels",
    "nuts2024",
    "nuts_geometry",
    "crosswalk",
    "nace",
    "sbs_regional",
    "sbs_manufacturing",
    "lfs_regional",
    "eurostat_indicator",
    "ris_workbook",
    "eis_workbook",
    "eis_csv",
    "rci_workbook",
    "escp_partnerships",
    "escp_members",
    "escp_programmes",
]
# What the freshness check compares besides the files: the manifest and the code that reads them.
CODE_FILES = ("*.py", "readers/*.py", "*.sql")


@dataclass
class SourceStatus:
    """What became of one manifest source in a build."""

    source_id: str
    status: str  # loaded | missing | failed | superseded
    paths: list[Path] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    reason: str = ""
    remedy: str = ""


@dataclass
class BuildSummary:
    db: Path
    seconds: float
    tables: dict[str, int]
    unplaced: dict[str, int]
    statuses: list[SourceStatus] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [s.source_id for s in self.statuses if s.status == "missing"]

    @property
    def failed(self) -> list[str]:
        return [s.source_id for s in self.statuses if s.status == "failed"]


@dataclass
class Context:
    """What readers need: the connection, where sources live, and a few shared inserts."""

    con: duckdb.DuckDBPyConnection
    sources_dir: Path
    manifest: Manifest
    units_added: list[tuple[str, str]] = field(default_factory=list)  # by the reader now running

    def insert_df(self, table: str, df: pd.DataFrame) -> None:
        self.con.register("_ins_df", df)
        cols = ", ".join(f'"{c}"' for c in df.columns)
        self.con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _ins_df')
        self.con.unregister("_ins_df")

    def insert_geometry(self, df: pd.DataFrame) -> None:
        self.con.register("_geom_df", df)
        self.con.execute(
            """INSERT INTO region_geometry
               SELECT code, nuts_version, level, scale, ST_GeomFromWKB(wkb), geojson FROM _geom_df"""
        )
        self.con.unregister("_geom_df")

    def add_unit(self, code: str, version: str, members: list[str], *, method: str, name: str) -> None:
        """Register a derived map unit (drawn on the union of NUTS 2021 ``members``)."""
        levels = {len(m) - 2 for m in members}
        if len(levels) != 1:
            raise BuildError(f"unit {code} mixes NUTS levels: {members}")
        self.con.execute(
            """INSERT INTO regions VALUES ($code, $v, $level, $country, $name, $name, $parent, NULL, NULL,
                                          NULL, NULL, NULL, true, $method, $members)""",
            {
                "code": code,
                "v": version,
                "level": levels.pop(),
                "country": members[0][:2],
                "name": name,
                "parent": members[0][:-1] if len({m[:-1] for m in members}) == 1 else members[0][:2],
                "method": method,
                "members": "+".join(members),
            },
        )
        self.con.executemany(
            "INSERT INTO region_units VALUES (?, ?, ?, '2021', ?)",
            [[code, version, m, method] for m in members],
        )
        self.units_added.append((code, version))

    def add_catalog(self, **entry) -> None:
        entry.setdefault("reference_period", None)
        self.con.execute(
            """INSERT INTO indicator_catalog (indicator_id, label, unit, description, source_id, higher_is_better,
                   dimension, additive, reference_period, nuts_version)
               VALUES ($indicator_id, $label, $unit, $description, $source_id, $higher_is_better, $dimension,
                       $additive, $reference_period, $nuts_version)""",
            entry,
        )

    def report(self, source_id: str, item: str, count: int, detail: str = "") -> None:
        self.con.execute("INSERT INTO build_report VALUES (?, ?, ?, ?)", [source_id, item, count, detail])


def code_digest(manifest: Manifest) -> str:
    """SHA-256 over the manifest and the ingest code: a change to either makes the DB stale."""
    h = hashlib.sha256(manifest.digest.encode())
    here = Path(__file__).parent
    for pattern in CODE_FILES:
        for path in sorted(here.glob(pattern)):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def build(
    sources_dir: Path,
    db: Path,
    *,
    manifest: Manifest | None = None,
    allow_missing: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build the DB at ``db`` from ``sources_dir``; raise BuildError and keep the old DB on failure.

    Without ``allow_missing`` every source must be present and load. With it, a source whose files are absent
    is recorded as missing and one that fails to load as failed (its rows rolled back), and the build goes on;
    only the boundaries (``required`` sources) are indispensable.
    """
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    manifest = manifest or load_manifest()
    started = time.perf_counter()
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(f".{db.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    say(f"Building {db.name} from the sources folder {sources_dir}")
    try:
        plan = _plan(manifest, sources_dir, allow_missing)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"LOAD '{spatial_extension_path()}'")
            con.execute(SCHEMA.read_text())
            ctx = Context(con=con, sources_dir=sources_dir, manifest=manifest)
            _run_readers(ctx, manifest, plan, allow_missing, say)
            say("  finishing: map units, catalog coverage, provenance, validation")
            _finish_units(ctx)
            _finish_catalog(ctx)
            build_derived(con)
            _write_provenance(ctx, manifest, plan)
            validate(con)
            tables = _table_counts(con)
            unplaced = dict(con.execute("SELECT source_id, count(*) FROM unplaced GROUP BY 1 ORDER BY 1").fetchall())
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    summary = BuildSummary(
        db=db,
        seconds=time.perf_counter() - started,
        tables=tables,
        unplaced=unplaced,
        statuses=list(plan.values()),
    )
    say(format_summary(summary))
    return summary


def _plan(manifest: Manifest, sources_dir: Path, allow_missing: bool) -> dict[str, SourceStatus]:
    """Resolve every source's files; absent boundaries always stop the build, other absences only when strict."""
    plan: dict[str, SourceStatus] = {}
    absent_required = []
    for source in manifest.sources:
        if source.reader not in READERS:
            raise BuildError(f"source {source.id}: unknown reader {source.reader!r}")
        paths = source.resolve(sources_dir)
        if paths is not None:
            plan[source.id] = SourceStatus(source.id, "pending", paths)
            continue
        expected = source.paths(sources_dir)
        first_absent = next((p for p in expected if not p.is_file()), expected[0])
        if source.required:
            absent_required.append((source, first_absent))
        elif not allow_missing or source.location == "project":
            raise BuildError(f"source {source.id}: file is missing; {source.how_to_get()}", file=first_absent)
        plan[source.id] = SourceStatus(
            source.id,
            "missing",
            reason="file not in the sources folder: " + ", ".join(source.files),
            remedy=source.how_to_get(),
        )
    if absent_required:
        files = "\n".join(f"  {p}" for _, p in absent_required)
        raise BuildError(
            "the NUTS boundaries are missing, and nothing can be drawn without them:\n"
            f"{files}\n"
            "Get them with `make fetch` (downloads from gisco-services.ec.europa.eu; needs internet), or point "
            "$CLUSTERMAP_SOURCES (or --sources) at a sources folder that holds nuts/ (README: 'Offline')."
        )
    return plan


def _run_readers(ctx: Context, manifest: Manifest, plan: dict[str, SourceStatus], allow_missing: bool, say) -> None:
    todo = [s for s in manifest.sources if plan[s.id].status == "pending"]
    todo.sort(key=lambda s: READER_ORDER.index(s.reader) if s.reader in READER_ORDER else len(READER_ORDER))
    for i, source in enumerate(todo, start=1):
        status = plan[source.id]
        head = f"  [{i:2d}/{len(todo)}] {source.id:<32}"
        replacing = plan.get(source.superseded_by) if source.superseded_by else None
        if replacing is not None and replacing.status == "loaded":
            status.status, status.reason = "superseded", f"replaced by {source.superseded_by}, which is loaded"
            say(f"{head} superseded by {source.superseded_by}")
            continue
        t0 = time.perf_counter()
        ctx.units_added = []
        try:
            status.rows = READERS[source.reader](ctx, source, status.paths)
        except Exception as exc:
            _discard(ctx, source.id)
            error = exc if isinstance(exc, BuildError) else BuildError(f"{type(exc).__name__}: {exc}")
            if not allow_missing or source.required:
                if isinstance(exc, BuildError):
                    raise
                raise BuildError(f"source {source.id}: {error}") from exc
            status.status, status.reason = "failed", _describe(error, source, ctx.sources_dir)
            status.remedy = "check or replace the file named; " + source.how_to_get()
            say(f"{head} FAILED: {str(error)[:300]}")
            continue
        status.status, status.seconds = "loaded", time.perf_counter() - t0
        say(f"{head} {status.rows:>9,} rows  {status.seconds:5.2f} s")


def _discard(ctx: Context, source_id: str) -> None:
    """Remove every row a failed reader wrote: rows carrying its source_id and the map units it registered.

    (A transaction per reader would do the same, but DuckDB then keeps undo data for every staging table: the SBS
    reader took twice the time and memory.)
    """
    con = ctx.con
    tables = [
        r[0]
        for r in con.execute(
            """SELECT table_name FROM duckdb_columns()
               WHERE column_name = 'source_id' AND NOT internal AND database_name = current_database()
                 AND schema_name = 'main'"""
        ).fetchall()
    ]
    for table in tables:  # names from the catalog of this build, not input
        con.execute(f'DELETE FROM "{table}" WHERE source_id = $sid', {"sid": source_id})
    for code, version in ctx.units_added:
        con.execute("DELETE FROM region_units WHERE unit_code = $c AND unit_version = $v", {"c": code, "v": version})
        con.execute("DELETE FROM regions WHERE code = $c AND nuts_version = $v", {"c": code, "v": version})
    ctx.units_added = []


def _finish_units(ctx: Context) -> None:
    """Union geometry and a label point for every derived unit."""
    con = ctx.con
    units = con.execute("SELECT code, nuts_version, members, level FROM regions WHERE is_unit").fetchall()
    rows = []
    for code, version, members, level in units:
        for scale in ("60M", "20M"):
            wkbs = [
                r[0]
                for r in con.execute(
                    """SELECT ST_AsWKB(geom) FROM region_geometry
                       WHERE nuts_version = '2021' AND scale = $s AND list_contains(string_split($m, '+'), code)""",
                    {"s": scale, "m": members},
                ).fetchall()
            ]
            if len(wkbs) != len(members.split("+")):
                if scale == "20M":
                    continue  # 20M omits a few remote regions; the screen scale is the contract
                raise BuildError(f"unit {code}: geometry missing for some of {members}")
            precision = nuts.SCREEN_PRECISION if scale == "60M" else nuts.EXPORT_PRECISION
            wkb, gj = nuts.union_geojson([bytes(w) for w in wkbs], precision)
            rows.append(
                {
                    "code": code,
                    "nuts_version": version,
                    "level": level,
                    "scale": scale,
                    "wkb": wkb,
                    "geojson": gj,
                }
            )
    if rows:
        ctx.insert_geometry(pd.DataFrame(rows))
    con.execute(
        """UPDATE regions r SET label_lon = round(ST_X(p), 5), label_lat = round(ST_Y(p), 5)
           FROM (SELECT code, nuts_version, ST_PointOnSurface(geom) AS p FROM region_geometry WHERE scale = '60M') g
           WHERE r.is_unit AND g.code = r.code AND g.nuts_version = r.nuts_version"""
    )


def _finish_catalog(ctx: Context) -> None:
    ctx.con.execute(
        """UPDATE indicator_catalog c SET levels = s.levels, min_year = s.min_year, max_year = s.max_year,
                                          n_regions = s.n_regions
           FROM (SELECT i.indicator_id, string_agg(DISTINCT r.level::VARCHAR, ',' ORDER BY r.level::VARCHAR) levels,
                        min(i.year) min_year, max(i.year) max_year, count(DISTINCT i.region_code) n_regions
                 FROM indicators i JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
                 WHERE i.value IS NOT NULL GROUP BY 1) s
           WHERE s.indicator_id = c.indicator_id"""
    )


def sources_label(sources_dir: Path) -> str:
    """How to name the sources folder to a visitor: relative to the checkout, never a server's absolute path."""
    folder = Path(sources_dir).resolve()
    if SHARED_SOURCES.is_dir() and folder == SHARED_SOURCES.resolve():
        return "the sources folder ../shared/data"
    root = PROJECT_ROOT.resolve()
    if folder.is_relative_to(root):
        return f"the sources folder {folder.relative_to(root).as_posix()}"
    return "a sources folder outside the checkout"


def _describe(error: BuildError, source: Source, sources_dir: Path) -> str:
    """The error with its file named relative to its folder (no server path is shown to visitors)."""
    if not error.file:
        return error.reason
    where = _relative(Path(error.file), source, sources_dir) + (f":{error.line}" if error.line else "")
    return f"{where}: {error.reason}"


def _relative(path: Path, source: Source, sources_dir: Path) -> str:
    """A file's name relative to its folder: never a server's absolute path in the DB."""
    try:
        return path.relative_to(source.base(sources_dir)).as_posix()
    except ValueError:
        return path.name


def _data_years(con: duckdb.DuckDBPyConnection, source_id: str) -> str | None:
    row = con.execute(
        """SELECT min(y), max(y) FROM (
               SELECT year AS y FROM employment WHERE source_id = $s UNION ALL
               SELECT year FROM lfs_employment WHERE source_id = $s UNION ALL
               SELECT year FROM indicators WHERE source_id = $s)""",
        {"s": source_id},
    ).fetchone()
    if row[0] is None:
        return None
    return str(row[0]) if row[0] == row[1] else f"{row[0]}-{row[1]}"


def _write_provenance(ctx: Context, manifest: Manifest, plan: dict[str, SourceStatus]) -> None:
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    con = ctx.con
    for source in manifest.sources:
        status = plan[source.id]
        entries = [(p, p.stat().st_size, sha256_file(p)) for p in status.paths]
        if len(entries) == 1:
            digest = entries[0][2]
        elif entries:
            digest = hashlib.sha256("".join(e[2] for e in entries).encode()).hexdigest()
        else:
            digest = None
        names = [_relative(p, source, ctx.sources_dir) for p in status.paths] or list(source.files)
        con.execute(
            """INSERT INTO sources VALUES ($id, $title, $publisher, $licence, $attribution, $url, $file, $sha,
                                          $rows, $built, $format, $nv, $vintage, $status, $notes, $reason, $remedy,
                                          $required, $years)""",
            {
                "id": source.id,
                "title": source.title,
                "publisher": source.publisher,
                "licence": source.licence,
                "attribution": source.attribution,
                "url": source.url,
                "file": "; ".join(names),
                "sha": digest,
                "rows": status.rows,
                "built": built_at,
                "format": source.format,
                "nv": source.nuts_version,
                "vintage": source.vintage,
                "status": status.status,
                "notes": source.notes or source.fetch_note or None,
                "reason": status.reason or None,
                "remedy": status.remedy or None,
                "required": source.required,
                "years": _data_years(con, source.id) if status.status == "loaded" else None,
            },
        )
        if status.status in ("missing", "failed"):
            ctx.report(source.id, f"source {status.status}", 0, f"{status.reason} | {status.remedy}"[:2000])
        for path, size, sha in entries:
            con.execute(
                "INSERT INTO source_files VALUES (?, ?, ?, ?)",
                [source.id, _relative(path, source, ctx.sources_dir), size, sha],
            )
    for key, value in {
        "built_at": built_at.isoformat() + "Z",
        "sources_dir": str(ctx.sources_dir),  # for the freshness check; pages show sources_label instead
        "sources_label": sources_label(ctx.sources_dir),
        "code_digest": code_digest(manifest),
        "clustermap_version": __version__,
        "duckdb_version": duckdb.__version__,
    }.items():
        con.execute("INSERT INTO build_info VALUES (?, ?)", [key, value])


# Invariants checked on every build; a failure aborts the swap.
VALIDATIONS = {
    "every NUTS 2021 and 2024 level has regions": """
        SELECT count(*) FROM (SELECT v, l FROM (VALUES ('2021'), ('2024')) a(v), range(0, 4) b(l)) x
        WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.nuts_version = x.v AND r.level = x.l)""",
    "every region and unit has a screen geometry": """
        SELECT count(*) FROM regions r WHERE r.nuts_version <> 'aggregate' AND NOT EXISTS (
            SELECT 1 FROM region_geometry g
            WHERE g.code = r.code AND g.nuts_version = r.nuts_version AND g.scale = '60M')""",
    "indicator rows are unique per region, indicator and year": """
        SELECT count(*) FROM (SELECT 1 FROM indicators
            GROUP BY region_code, nuts_version, indicator_id, year HAVING count(*) > 1)""",
    "every indicator is in the catalog": """
        SELECT count(*) FROM indicators i ANTI JOIN indicator_catalog c USING (indicator_id)""",
    "employment rows are unique per source, region, NACE code and year": """
        SELECT count(*) FROM (SELECT 1 FROM employment
            GROUP BY source_id, region_code, nuts_version, nace, year HAVING count(*) > 1)""",
    "every NACE code in employment is in the NACE table": """
        SELECT count(*) FROM (SELECT nace FROM employment UNION SELECT nace FROM lfs_employment) e
        ANTI JOIN nace n ON n.code = e.nace""",
    "confidential cells are NULL, never a number": """
        SELECT count(*) FROM employment WHERE flag LIKE '%c%' AND persons IS NOT NULL""",
    "persons employed and local units are not negative": """
        SELECT count(*) FROM employment WHERE persons < 0 OR local_units < 0""",
    "every placed row refers to a region or unit": """
        SELECT count(*) FROM (
            SELECT region_code, nuts_version FROM employment
            UNION ALL SELECT region_code, nuts_version FROM lfs_employment
            UNION ALL SELECT region_code, nuts_version FROM indicators WHERE nuts_version <> 'aggregate') x
        ANTI JOIN regions r ON r.code = x.region_code AND r.nuts_version = x.nuts_version""",
}


def validate(con: duckdb.DuckDBPyConnection) -> None:
    """Raise BuildError listing every failed invariant."""
    failed = []
    for name, sql in VALIDATIONS.items():
        n = con.execute(sql).fetchone()[0]
        if n:
            failed.append(f"{name} ({n} violations)")
    if failed:
        raise BuildError("validation failed: " + "; ".join(failed))


def _table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()
    ]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def format_summary(summary: BuildSummary) -> str:
    lines = [f"Built {summary.db} in {summary.seconds:.1f} s", "  rows per table:"]
    lines += [f"    {name:<20} {n:>10,}" for name, n in summary.tables.items()]
    if summary.unplaced:
        lines.append("  rows not placed on a map unit (see build_report / unplaced):")
        lines += [f"    {sid:<32} {n:>8,}" for sid, n in summary.unplaced.items()]
    absent = [s for s in summary.statuses if s.status in ("missing", "failed", "superseded")]
    if absent:
        lines.append("  sources not loaded (the app says so where they would be used):")
        for s in absent:
            lines.append(f"    {s.source_id:<32} {s.status:<10} {s.reason[:160]}")
            if s.remedy:
                lines.append(f"    {'':<32} {'':<10} -> {s.remedy}")
    return "\n".join(lines)


def source_by_id(manifest: Manifest, source_id: str) -> Source:
    return manifest.get(source_id)
