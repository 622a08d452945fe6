"""Relatedness: proximity, density and complexity for every year of the NACE-division set as the app gets them
(proximity and density precomputed by the build and served by the SQL macros, complexity computed), the build's
from-scratch computation and a plain numpy computation from the same LQ table beside it; and what the related-
sectors page computes for one set and year (those plus the network layout and the groups)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench import common
from bench.common import Figure, median_seconds
from mapping import db, relatedness

GOAL_S = 0.3


def all_years(con, sector_set: str = "division") -> int:
    """Proximity and density for every year in one query each (fetched as Arrow, as the console and the exports
    take them), complexity per year from the specialisation matrix (integer ids); returns the rows computed."""
    prox = con.execute("SELECT * FROM sector_proximity($s, NULL)", {"s": sector_set}).to_arrow_table()
    dens = con.execute("SELECT * FROM relatedness_density($s, NULL)", {"s": sector_set}).to_arrow_table()
    x = con.execute(
        "SELECT year, rid AS region_code, nid AS sector, lq >= 1 AS specialised FROM cluster_lq WHERE sector_set = $s",
        {"s": sector_set},
    ).df()
    for _, frame in x.groupby("year"):
        relatedness.complexity(frame)
    return prox.num_rows + dens.num_rows


def numpy_all_years(lq: pd.DataFrame) -> int:
    """The same proximity and density with numpy from the LQ table (the independent check's method)."""
    rows = 0
    for _, cells in lq.groupby("year"):
        x = (cells.pivot_table(index=["region_code", "nuts_version"], columns="nace", values="lq") >= 1).astype(int)
        a = x.to_numpy()
        k = a.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            phi = (a.T @ a) / np.maximum.outer(k, k)
        np.fill_diagonal(phi, 0)
        w = np.nan_to_num(phi)
        with np.errstate(invalid="ignore", divide="ignore"):
            dens = 100 * (a @ w) / w.sum(axis=0)
        rows += phi.size + dens.size
    return rows


def page(con, sector_set: str = "division", year: int = 2014) -> None:
    prox = con.execute("SELECT * FROM sector_proximity(?, ?)", [sector_set, year]).df()
    dens = con.execute("SELECT * FROM relatedness_density(?, ?)", [sector_set, year]).df()
    relatedness.complexity(dens)
    relatedness.layout(prox)
    relatedness.groups(prox)


def run() -> list[Figure]:
    con = db.connect(common.db_path())
    try:
        years = con.execute("SELECT count(DISTINCT year) FROM cluster_lq WHERE sector_set = 'division'").fetchone()[0]
        rows = all_years(con)
        sql = median_seconds(lambda: all_years(con))
        scratch = median_seconds(
            lambda: con.execute(
                "SELECT (SELECT count(*) FROM proximity_ids('division', NULL)), "
                "(SELECT count(*) FROM density_ids('division', NULL))"
            ).fetchall()
        )
        lq = con.execute(
            "SELECT year, region_code, nuts_version, nace, lq FROM cluster_lq JOIN cluster_region_ids USING (rid) "
            "JOIN cluster_sector_ids USING (nid) WHERE sector_set = 'division'"
        ).df()
        npy = median_seconds(lambda: numpy_all_years(lq))
        one = median_seconds(lambda: page(con))
    finally:
        con.close()
    return [
        Figure(
            "related",
            f"proximity + density + complexity, all {years} years of divisions ({rows:,} rows, median)",
            sql * 1000,
            "ms",
            f"<= {GOAL_S * 1000:.0f} ms",
            sql <= GOAL_S,
        ),
        Figure("related", "  proximity + density from scratch, as the build does (median)", scratch * 1000, "ms"),
        Figure("related", "  numpy from the LQ table in memory, proximity + density (median)", npy * 1000, "ms"),
        Figure("related", "one set and year as the page computes it, + layout and groups (median)", one * 1000, "ms"),
    ]
