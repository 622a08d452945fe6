"""Cluster methods: what a page asks for, on the real data and at 100x synthetic scale, with pandas beside each.

The build precomputes every measure that does not depend on a threshold (``cluster_input``: shares, coverage and
the percentile ranks at each level of the coverage rule; ``cluster_totals``); a page only compares. Timed here, as
the pages run them (the SQL files through ``mapping.db``):

* one sector's map and ranking (``cluster_sector_view``), a region's portfolio with growth (``cluster_portfolio``),
  the EU summary with custom thresholds (``cluster_summary``), the sensitivity sweep (``threshold_curve``: the
  star counts at every value of one threshold) and relatedness for one set and year (``related_proximity`` and
  ``related_density``);
* beside each, the same answer with pandas from frames already in memory (the cells at every year with their
  percentile ranks and LQs, which is what the precompute gives both);
* all cells of the set with stars (DuckDB aggregating in place) against the independent pandas implementation from
  the raw tables (``mapping.clusters.reference_cells``), the figure of the first round;
* 100x: synthetic employment with 100 copies of every region (values jittered), built into a fresh DuckDB file by
  the same ``build_derived``; its build time and peak memory, then the same operations.
"""

from __future__ import annotations

import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from bench import common
from bench.common import Figure, median_seconds
from mapping import clusters, db
from mapping.ingest.derived import build_derived

REPEATS = 7
THR = clusters.Thresholds(spec_lq=1.5, top_pct=5.0)  # "custom thresholds"
YEAR, SECTOR, REGION, BASE = 2014, "C29", "DE11", 2010
OP_GOAL_MS = {1: 20, 100: 300}


def _stars(cells: pd.DataFrame, thr: clusters.Thresholds) -> pd.Series:
    """Observatory stars from the precomputed ranks and LQs (the comparisons a page makes)."""
    top = 100 - thr.top_pct
    return (
        (cells["size_pct"] >= top).astype(int)
        + (cells["lq"] >= thr.spec_lq).astype(int)
        + (cells["share_pct"] >= top).astype(int)
    )


def operations(con, region: str) -> dict:
    """name -> (DuckDB as the page runs it, the same with pandas from frames in memory)."""
    q = lambda name, **kw: db.query(con, name, **kw)  # noqa: E731
    base = {"sector_set": "division", "year": YEAR, "method": "observatory"}
    cells = db.run_sql(
        con,
        "SELECT region_code, country, nace, year, persons, lq, size_pct, share_pct FROM "
        "cluster_cells('division', 2.0, 10, 75, 25, min_coverage := 0.5)",
        row_cap=10**9,
    )
    prox = db.run_sql(con, "SELECT * FROM sector_proximity('division', NULL)", row_cap=10**9)
    dens = db.run_sql(con, "SELECT * FROM relatedness_density('division', NULL)", row_cap=10**9)
    year = cells[cells["year"] == YEAR]

    def pd_sector():
        c = year[year["nace"] == SECTOR]
        return c.assign(stars=_stars(c, THR)).sort_values("lq", ascending=False)

    def pd_portfolio():
        c = cells[(cells["region_code"] == region) & cells["year"].isin([BASE, YEAR])]
        now, then = c[c["year"] == YEAR], c[c["year"] == BASE][["nace", "persons"]]
        return now.assign(stars=_stars(now, THR)).merge(then, on="nace", how="left", suffixes=("", "_base"))

    def pd_summary():
        return year.assign(stars=_stars(year, THR)).groupby(["country", "nace"])["stars"].value_counts()

    def pd_sweep():
        return [(_stars(year, replace(THR, spec_lq=float(v))) >= 1).sum() for v in clusters.SWEEPS["spec_lq"][1]]

    def pd_related():
        return prox[prox["data_year"] == YEAR], dens[dens["data_year"] == YEAR]

    return {
        "one sector's map and ranking": (
            lambda: q("cluster_sector_view", nace=SECTOR, **base, **THR.params()),
            pd_sector,
        ),
        "a region's portfolio with growth": (
            lambda: q("cluster_portfolio", region=region, base_year=BASE, **base, **THR.params()),
            pd_portfolio,
        ),
        "EU summary, custom thresholds": (lambda: q("cluster_summary", **base, **THR.params()), pd_summary),
        "sensitivity sweep (9 LQ thresholds)": (
            lambda: clusters.threshold_curve(
                lambda name, **kw: q(name, **kw), sector_set="division", year=YEAR, method="observatory",
                base=THR, param="spec_lq",
            ),
            pd_sweep,
        ),
        "relatedness, one set and year": (
            lambda: (
                q("related_proximity", sector_set="division", year=YEAR),
                q("related_density", sector_set="division", year=YEAR),
            ),
            pd_related,
        ),
    }  # fmt: skip


def _op_figures(con, scale: int, region: str) -> list[Figure]:
    goal = OP_GOAL_MS[scale]
    out = []
    for name, (duck, pan) in operations(con, region).items():
        d = median_seconds(duck, REPEATS) * 1000
        p = median_seconds(pan, repeats=3) * 1000
        out.append(Figure("clusters", f"{scale}x: {name} (median)", d, "ms", f"<= {goal} ms", d <= goal))
        out.append(Figure("clusters", "    same with pandas, frames in memory", p, "ms"))
    return out


def real_data(db_path) -> list[Figure]:
    con = db.connect(db_path)
    try:
        figures = _op_figures(con, 1, REGION)
        args = "'division', 2.0, 10, 75, 25"
        cells = con.execute(f"SELECT count(*) FROM cluster_cells({args})").fetchone()[0]
        agg = median_seconds(
            lambda: con.execute(
                f"SELECT count(*), sum(stars_observatory), sum(lq) FROM cluster_cells({args})"
            ).fetchall(),
            REPEATS,
        )
        emp = db.run_sql(con, "SELECT * FROM employment", row_cap=10**8)
        reg = db.run_sql(con, "SELECT code, nuts_version, level, country FROM regions")
        nace = db.run_sql(con, "SELECT code, level, parent FROM nace")
    finally:
        con.close()
    pandas = median_seconds(lambda: clusters.reference_cells(emp, reg, nace, sector_set="division"), repeats=3)
    ratio = pandas / agg
    return [
        *figures,
        Figure("clusters", f"1x: LQ + stars, all {cells:,} division cells, all years (median)", agg * 1000, "ms",
               "<= 100 ms", agg <= 0.1),
        Figure("clusters", "    independent pandas implementation from the raw tables", pandas * 1000, "ms"),
        Figure("clusters", "    pandas / DuckDB", ratio, "x", ">= 2x", ratio >= 2),
    ]  # fmt: skip


def build_synthetic(db_path, target: Path, copies: int = 100) -> tuple[float, float]:
    """``copies`` copies of every region (codes suffixed _k, persons jittered by +-50%), same sectors and years,
    written to ``target`` with the cluster tables built by ``build_derived``; returns (build seconds of the
    derived tables, peak RSS of this process in MB)."""
    src = db.connect(db_path)
    try:
        emp = src.execute(
            "SELECT * FROM employment WHERE source_id IN ('eurostat_sbs_r_nuts06_r2', 'eurostat_sbs_r_nuts2021')"
        ).to_arrow_table()
        regions = src.execute("SELECT * FROM regions").to_arrow_table()
        nace = src.execute("SELECT * FROM nace").to_arrow_table()
    finally:
        src.close()
    con = duckdb.connect(str(target))
    con.register("emp_src", emp)
    con.register("reg_src", regions)
    con.register("nace_src", nace)
    con.execute(
        f"""CREATE TABLE employment AS
            SELECT * REPLACE (CASE WHEN k = 0 THEN region_code ELSE region_code || '_' || k END AS region_code,
                              CASE WHEN k = 0 THEN persons ELSE round(persons * (0.5 + random())) END AS persons)
            FROM emp_src, range({copies}) t(k)"""
    )
    con.execute(
        f"""CREATE TABLE regions AS
            SELECT * REPLACE (CASE WHEN k = 0 THEN code ELSE code || '_' || k END AS code)
            FROM reg_src, range({copies}) t(k)"""
    )
    con.execute("CREATE TABLE nace AS SELECT * FROM nace_src")
    con.execute("CREATE TABLE unplaced AS SELECT NULL::VARCHAR AS source_id WHERE false")
    con.unregister("emp_src")
    del emp
    con.execute("CHECKPOINT")
    t0 = time.perf_counter()
    build_derived(con)
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t0
    con.close()
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(db_path, copies: int = 100) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"x{copies}.duckdb"
        seconds, rss = build_synthetic(db_path, target, copies)
        con = db.connect(target)
        try:
            cells = con.execute("SELECT count(*) FROM cluster_input").fetchone()[0]
            figures = _op_figures(con, copies, REGION)
        finally:
            con.close()
    return [
        Figure("clusters", f"{copies}x: precompute of the cluster tables, {cells:,} cells (build_derived)", seconds,
               "s", "<= 60 s", seconds <= 60),
        Figure("clusters", f"{copies}x: peak memory of the bench process (building, then querying)", rss, "MB",
               "<= 4096 MB", rss <= 4096),
        *figures,
    ]  # fmt: skip


def run() -> list[Figure]:
    path = common.db_path()
    return [*real_data(path), *synthetic(path)]
