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
from mapping.config import spatial_extension_path

from . import nuts
from .errors import BuildError
from .manifest import Manifest, Source, load_manifest, sha256_file
from .readers import READERS

SCHEMA = Path(__file__).with_name("schema.sql")
MACROS = Path(__file__).with_name("macros.sql")

# Readers run in this order: regions before anything that refers to them, the crosswalk before
# the tables whose old codes it places, catalogs before the indicators that use them.
READER_ORDER = [
    "nuts_labels",
    "nuts2024",
    "nuts_geometry",
    "crosswalk",
    "nace",
    "sbs_regional",
    "sbs_manufacturing",
    "lfs_regional",
    "eurostat_csv",
    "eurostat_legacy",
    "ris",
    "eis",
    "rci",
    "escp_partnerships",
    "escp_members",
    "escp_programmes",
]


@dataclass
class BuildSummary:
    db: Path
    seconds: float
    tables: dict[str, int]
    unplaced: dict[str, int]
    missing: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What readers need: the connection, where sources live, and a few shared inserts."""

    con: duckdb.DuckDBPyConnection
    sources_dir: Path
    manifest: Manifest
    _catalog: list[dict] = field(default_factory=list)

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

    def add_catalog(self, **entry) -> None:
        entry.setdefault("reference_period", None)
        self._catalog.append(entry)
        self.con.execute(
            """INSERT INTO indicator_catalog (indicator_id, label, unit, description, source_id, higher_is_better,
                   dimension, additive, reference_period, nuts_version)
               VALUES ($indicator_id, $label, $unit, $description, $source_id, $higher_is_better, $dimension,
                       $additive, $reference_period, $nuts_version)""",
            entry,
        )

    def report(self, source_id: str, item: str, count: int, detail: str = "") -> None:
        self.con.execute("INSERT INTO build_report VALUES (?, ?, ?, ?)", [source_id, item, count, detail])


def build(
    sources_dir: Path,
    db: Path,
    *,
    manifest: Manifest | None = None,
    allow_missing: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build the DB at ``db`` from ``sources_dir``; raise BuildError and keep the old DB on failure."""
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    manifest = manifest or load_manifest()
    started = time.perf_counter()
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(f".{db.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    say(f"Building {db} from {sources_dir}")
    try:
        files, missing = _check_files(manifest, sources_dir, allow_missing)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"LOAD '{spatial_extension_path()}'")
            con.execute(SCHEMA.read_text())
            ctx = Context(con=con, sources_dir=sources_dir, manifest=manifest)
            rows = _run_readers(ctx, manifest, missing, say)
            say("  finishing: map units, catalog coverage, provenance, validation")
            _finish_units(ctx)
            _finish_catalog(ctx)
            con.execute(MACROS.read_text())
            _write_provenance(ctx, manifest, files, rows, missing)
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
        db=db, seconds=time.perf_counter() - started, tables=tables, unplaced=unplaced, missing=missing
    )
    say(format_summary(summary))
    return summary


def _check_files(manifest: Manifest, sources_dir: Path, allow_missing: bool) -> tuple[dict, list[str]]:
    files: dict[str, list[tuple[Path, int, str]]] = {}
    missing: list[str] = []
    for source in manifest.sources:
        if source.reader not in READERS:
            raise BuildError(f"source {source.id}: unknown reader {source.reader!r}")
        paths = source.paths(sources_dir)
        absent = [p for p in paths if not p.is_file()]
        if absent:
            if allow_missing and source.location != "project" and not source.reader.startswith("nuts"):
                missing.append(source.id)
                continue
            raise BuildError(f"source {source.id}: file is missing", file=absent[0])
        files[source.id] = [(p, p.stat().st_size, sha256_file(p)) for p in paths]
    return files, missing


def _run_readers(ctx: Context, manifest: Manifest, missing: list[str], say) -> dict[str, int]:
    rows: dict[str, int] = {}
    todo = [s for s in manifest.sources if s.id not in missing]
    todo.sort(key=lambda s: READER_ORDER.index(s.reader) if s.reader in READER_ORDER else len(READER_ORDER))
    for i, source in enumerate(todo, start=1):
        t0 = time.perf_counter()
        rows[source.id] = READERS[source.reader](ctx, source)
        say(f"  [{i:2d}/{len(todo)}] {source.id:<32} {rows[source.id]:>9,} rows  {time.perf_counter() - t0:5.2f} s")
    return rows


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


def _write_provenance(ctx: Context, manifest: Manifest, files: dict, rows: dict, missing: list[str]) -> None:
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    con = ctx.con
    for source in manifest.sources:
        entries = files.get(source.id, [])
        if len(entries) == 1:
            digest = entries[0][2]
        elif entries:
            digest = hashlib.sha256("".join(e[2] for e in entries).encode()).hexdigest()
        else:
            digest = None
        con.execute(
            """INSERT INTO sources VALUES ($id, $title, $publisher, $licence, $attribution, $url, $file, $sha,
                                          $rows, $built, $format, $nv, $vintage, $status, $notes)""",
            {
                "id": source.id,
                "title": source.title,
                "publisher": source.publisher,
                "licence": source.licence,
                "attribution": source.attribution,
                "url": source.url,
                "file": "; ".join(source.files),
                "sha": digest,
                "rows": rows.get(source.id, 0),
                "built": built_at,
                "format": source.format,
                "nv": source.nuts_version,
                "vintage": source.vintage,
                "status": "missing" if source.id in missing else "loaded",
                "notes": source.notes or source.fetch_note or None,
            },
        )
        if source.id in missing:
            ctx.report(source.id, "source missing (built with --allow-missing)", 0, "; ".join(source.files))
        for path, size, sha in entries:
            con.execute("INSERT INTO source_files VALUES (?, ?, ?, ?)", [source.id, str(path.name), size, sha])
    for key, value in {
        "built_at": built_at.isoformat() + "Z",
        "sources_dir": str(ctx.sources_dir),
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
    if summary.missing:
        lines.append("  sources missing (built with --allow-missing): " + ", ".join(summary.missing))
    return "\n".join(lines)


def source_by_id(manifest: Manifest, source_id: str) -> Source:
    return manifest.get(source_id)
