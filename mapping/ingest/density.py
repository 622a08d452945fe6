"""Relatedness density of every cell, computed once at build time as a matrix product per sector set and year.

density d_rs = 100 * sum_j phi_sj * x_rj / sum_j phi_sj over the other sectors j (see ``density_ids`` in
macros.sql, the same definition in SQL, which the tests hold this to): with X the region x sector matrix of
specialisations (x_rj = 1 when the cell is known and LQ >= 1) and Phi the sector x sector proximities of the year
(``cluster_proximity``), that is 100 * (X Phi^T) / (Phi 1). The SQL form joins every specialised cell to every
sector (500 M rows at 100x scale, 50 s); the product is a fraction of a second per year.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa


def _year_density(rid, nid, x, na, nb, phi) -> np.ndarray:
    regions, r = np.unique(rid, return_inverse=True)
    sectors = np.unique(np.concatenate([nid, na, nb]))
    s = np.searchsorted(sectors, nid)
    spec = np.zeros((len(regions), len(sectors)))
    spec[r, s] = x
    prox = np.zeros((len(sectors), len(sectors)))
    known = ~np.isnan(phi)
    prox[np.searchsorted(sectors, na[known]), np.searchsorted(sectors, nb[known])] = phi[known]
    held = spec @ prox.T  # held[r, s] = sum_j x_rj phi_sj
    around = prox.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = 100 * held[r, s] / around[s]
    return np.where(around[s] > 0, dens, np.nan)


def _nullable(values) -> pa.Array:
    """A fetched column (a masked array where it has NULLs) as an Arrow array with the same NULLs."""
    masked = np.ma.asarray(values, dtype=float)
    return pa.array(masked.filled(0.0), mask=np.ma.getmaskarray(masked))


def add_density(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``cluster_density`` (sector_set, yr, rid, nid, density, persons, lq) for every cell of ``cluster_lq``."""
    parts = []
    for (sector_set,) in con.execute("SELECT DISTINCT sector_set FROM cluster_lq ORDER BY 1").fetchall():
        cells = con.execute(
            "SELECT year, rid, nid, coalesce(lq >= 1, false)::DOUBLE AS x, persons, lq FROM cluster_lq "
            "WHERE sector_set = ? "
            "ORDER BY year, nid, rid",
            [sector_set],
        ).fetchnumpy()
        prox = con.execute(
            "SELECT yr, na, nb, proximity::DOUBLE AS phi FROM cluster_proximity WHERE sector_set = ? ORDER BY yr",
            [sector_set],
        ).fetchnumpy()
        years = np.asarray(cells["year"])
        prox_years = np.asarray(prox["yr"])
        phi = np.ma.filled(np.ma.asarray(prox["phi"], dtype=float), np.nan)
        density = np.full(len(years), np.nan)
        for year in np.unique(years):
            c = years == year
            p = prox_years == year
            density[c] = _year_density(
                np.asarray(cells["rid"])[c], np.asarray(cells["nid"])[c], np.asarray(cells["x"])[c],
                np.asarray(prox["na"])[p], np.asarray(prox["nb"])[p], phi[p],
            )  # fmt: skip
        parts.append(
            pa.table(
                {
                    "sector_set": pa.array([sector_set] * len(years)),
                    "yr": pa.array(years),
                    "rid": pa.array(np.asarray(cells["rid"])),
                    "nid": pa.array(np.asarray(cells["nid"])),
                    "density": pa.array(density, mask=np.isnan(density)),
                    # the cell's persons and LQ, so relatedness_density reads this one sorted table
                    "persons": _nullable(cells["persons"]),
                    "lq": _nullable(cells["lq"]),
                }
            )
        )
    if parts:  # else the empty table macros.sql made stays
        density_table = pa.concat_tables(parts)  # noqa: F841 - read by name below
        con.execute("INSERT INTO cluster_density BY NAME SELECT * FROM density_table ORDER BY sector_set, yr, nid, rid")
