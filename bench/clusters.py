"""Cluster methods: the full LQ + stars computation for all cells, against pandas, and at 100x scale.

* real data: ``cluster_cells`` over every cell of the NACE-division set (all years), computed in DuckDB
  and (a) aggregated there, (b) materialised as a full result table; the independent pandas
  implementation (``mapping.clusters.reference_cells``) from the same tables already in memory;
* 100x: synthetic employment with 100 copies of every region (values jittered), built into a fresh
  in-memory DuckDB through the same macros.sql, then the same computation.
"""

from __future__ import annotations

import statistics
import time

import duckdb

from bench import common
from bench.common import Figure
from mapping import clusters, db
from mapping.ingest.derived import build_derived

REPEATS = 5
ARGS = "'division', 2.0, 10, 75, 25"


def _best(fn, repeats: int = REPEATS) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


_CON: dict = {}


def db_to_arrow(db_path):
    con = _CON.setdefault(str(db_path), db.connect(db_path))
    return con.execute(f"SELECT * FROM cluster_cells({ARGS})").to_arrow_table()


def real_data(db_path) -> list[Figure]:
    con = db.connect(db_path)
    try:
        cells = con.execute(f"SELECT count(*) FROM cluster_cells({ARGS})").fetchone()[0]
        agg = _best(
            lambda: con.execute(
                f"SELECT count(*), sum(stars_observatory), sum(lq) FROM cluster_cells({ARGS})"
            ).fetchall()
        )
        full = _best(lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE cells AS SELECT * FROM cluster_cells({ARGS})"))
        one_year = _best(
            lambda: con.execute(
                f"SELECT count(*), sum(stars_observatory) FROM cluster_cells({ARGS}, only_year := 2014)"
            ).fetchall()
        )
        emp = db.run_sql(con, "SELECT * FROM employment", row_cap=10**8)
        reg = db.run_sql(con, "SELECT code, nuts_version, level, country FROM regions")
        nace = db.run_sql(con, "SELECT code, level, parent FROM nace")
    finally:
        con.close()
    arrow = _best(lambda: db_to_arrow(db_path))
    pandas = _best(lambda: clusters.reference_cells(emp, reg, nace, sector_set="division"), repeats=3)
    ratio = pandas[1] / full[1]
    return [
        Figure(
            "clusters",
            f"LQ + stars, all {cells:,} division cells, computed in DuckDB (median)",
            agg[1] * 1000,
            "ms",
            "<= 100 ms",
            agg[1] <= 0.1,
        ),
        Figure("clusters", "  same, full 36-column result materialised (median)", full[1] * 1000, "ms"),
        Figure("clusters", "  one year (2014), as a page computes it (median)", one_year[1] * 1000, "ms"),
        Figure("clusters", "  same, full result fetched as an Arrow table (median)", arrow[1] * 1000, "ms"),
        Figure("clusters", "  independent pandas implementation, same result (median)", pandas[1] * 1000, "ms"),
        Figure("clusters", "pandas / DuckDB, full result in memory each (temp table)", ratio, "x", ">= 2x", ratio >= 2),
        Figure("clusters", "pandas / DuckDB, DuckDB aggregating in place", pandas[1] / agg[1], "x"),
    ]


def synthetic(db_path, copies: int = 100) -> list[Figure]:
    """100 copies of every region (region codes suffixed, persons jittered by +-50%), same sectors and years."""
    src = db.connect(db_path)
    try:
        emp = src.execute("SELECT * FROM employment WHERE source_id = 'eurostat_sbs_r_nuts06_r2'").to_arrow_table()
        regions = src.execute("SELECT code, nuts_version, level, country FROM regions").to_arrow_table()
        nace = src.execute("SELECT code, level, parent FROM nace").to_arrow_table()
    finally:
        src.close()
    con = duckdb.connect()
    con.register("emp_src", emp)
    con.register("reg_src", regions)
    con.register("nace_src", nace)
    t0 = time.perf_counter()
    con.execute(
        f"""CREATE TABLE employment AS
            SELECT region_code || '_' || k AS region_code, nuts_version, nace, year,
                   round(persons * (0.5 + random())) AS persons, local_units, wages_meur, flag, source_id
            FROM emp_src, range({copies}) t(k)"""
    )
    con.execute(
        f"""CREATE TABLE regions AS
            SELECT code || '_' || k AS code, nuts_version, level, country FROM reg_src, range({copies}) t(k)"""
    )
    con.execute("CREATE TABLE nace AS SELECT * FROM nace_src")
    build_derived(con)
    prep = time.perf_counter() - t0
    cells = con.execute(f"SELECT count(*) FROM cluster_cells({ARGS})").fetchone()[0]
    agg = _best(
        lambda: con.execute(f"SELECT count(*), sum(stars_observatory), sum(lq) FROM cluster_cells({ARGS})").fetchall(),
        repeats=3,
    )
    full = _best(
        lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE cells AS SELECT * FROM cluster_cells({ARGS})"), repeats=3
    )
    con.close()
    return [
        Figure(
            "clusters",
            f"{copies}x synthetic scale: LQ + stars for {cells:,} cells (median)",
            agg[1],
            "s",
            "<= 3 s",
            agg[1] <= 3,
        ),
        Figure("clusters", "  same, full result materialised (median)", full[1], "s"),
        Figure("clusters", "  building the 100x input (not timed above)", prep, "s"),
    ]


def run() -> list[Figure]:
    path = common.db_path()
    return [*real_data(path), *synthetic(path)]
