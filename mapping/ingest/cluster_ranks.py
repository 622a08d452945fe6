"""Percentile ranks of every cluster cell at every level of the coverage rule, computed once at build time.

The star methods compare percentile ranks within a sector and year (``cluster_cells`` in macros.sql). The ranks do
not depend on the thresholds, only on which region-years the coverage rule keeps; so they are computed here for
each level a user can choose (``clusters.COVERAGE_LEVELS``) and stored beside the cells, and a page only compares.

Why numpy and not SQL windows: one sort per measure serves every level (a rank among the kept cells is a count of
kept cells below, read off one sorted order with a cumulative sum), where SQL needs one window sort per measure and
level; DuckDB's framed window counts, the SQL form of the same idea, are 10-100x slower than its rank(). At 100x
scale this is seconds instead of minutes.

Definition (as in macros.sql): percentile rank = round(100 / n * (rank - 0.5)), rank ascending with ties sharing
the lowest rank, among the n cells of the same set, sector and year that have employment > 0, a value of the
measure and a region-year the rule keeps; halves round away from zero, as SQL's round().
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from mapping.clusters import COVERAGE_LEVELS

# measure column in cluster_input -> prefix of its percentile columns (lq_pct = share_pct: the LQ is the share times
# a constant within a sector and year)
MEASURES = {"persons": "size_pct", "share_r": "share_pct", "local_units": "units_pct", "wage_per_person": "wage_pct"}


def level_tag(level: float) -> str:
    """'50' for 0.5: the suffix of the columns of a level."""
    return f"{round(level * 100):d}"


def percentile_ranks(part: np.ndarray, value: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Percentile rank of every kept cell with a value among the kept cells of its part; NaN elsewhere.

    Args:
        part: integer partition of each cell (set, sector and year).
        value: the measure; NaN where unknown (those cells get no rank and do not count).
        kept: boolean, the cells that take part (active, kept by the coverage rule).
    """
    return percentile_ranks_by_level(part, value, kept.astype(float), np.ones(len(part), dtype=bool), [1.0])[:, 0]


def percentile_ranks_by_level(
    part: np.ndarray, value: np.ndarray, coverage: np.ndarray, active: np.ndarray, levels
) -> np.ndarray:
    """``percentile_ranks`` at every level at once: column i ranks the active cells with ``coverage >= levels[i]``.

    One sort of the active cells with a value (by part, then value) serves every level: a cell's rank among the
    kept cells is 1 + the kept cells before its group of ties in that order, a cumulative sum.
    """
    out = np.full((len(part), len(levels)), np.nan)
    idx = np.flatnonzero(active & ~np.isnan(value))
    if not len(idx):
        return out
    by_value = idx[np.argsort(value[idx], kind="stable")]
    order = by_value[np.argsort(part[by_value], kind="stable")]
    p, v = part[order], value[order]
    size = len(order)
    new_part = np.empty(size, dtype=bool)
    new_part[0] = True
    new_part[1:] = p[1:] != p[:-1]
    new_tie = new_part.copy()
    new_tie[1:] |= v[1:] != v[:-1]
    pos = np.arange(size)
    part_start = np.maximum.accumulate(np.where(new_part, pos, 0))
    tie_start = np.maximum.accumulate(np.where(new_tie, pos, 0))
    part_id = np.cumsum(new_part) - 1
    cov = coverage[order]
    for i, level in enumerate(levels):
        kept = cov >= level
        before = np.cumsum(kept) - kept  # kept cells strictly before each position
        rank = before[tie_start] - before[part_start] + 1  # ties share the lowest rank
        n = np.bincount(part_id, weights=kept)[part_id]
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 100.0 / n * (rank - 0.5)
        # SQL rounds halves away from zero; numpy's round would round them to even
        out[order, i] = np.where(kept, np.floor(raw + 0.5), np.nan)
    return out


def add_ranks(con: duckdb.DuckDBPyConnection) -> None:
    """Replace ``cluster_input`` by itself plus one percentile column per measure (``size_pct``, ...: UTINYINT[k],
    element i the rank at the i-th level of the rule, NULL where the cell has none), and write
    ``cluster_coverage_levels`` (level, pos: the 1-based element of those arrays)."""
    measures = ", ".join(f"{m}::DOUBLE AS {m}" for m in MEASURES)
    cells = con.execute(
        "SELECT rowid AS row_, (CASE sector_set WHEN 'division' THEN 0 WHEN 'section' THEN 1 ELSE 2 END) * 10000000"
        f" + year * 1000 + nid AS part, coverage_in, {measures} FROM cluster_input"
    ).to_arrow_table()
    col = {name: cells[name].to_numpy(zero_copy_only=False) for name in cells.column_names}
    del cells
    n = len(col["row_"])
    if not np.array_equal(col["row_"], np.arange(n)):
        raise RuntimeError("cluster_input was not read in its stored order")
    active = col["persons"] > 0
    columns = {"row_": pa.array(col["row_"])}
    for measure, name in MEASURES.items():
        pct = percentile_ranks_by_level(col["part"], col[measure], col["coverage_in"], active, COVERAGE_LEVELS)
        flat = pct.ravel()
        unknown = np.isnan(flat)
        values = pa.array(np.where(unknown, 0, flat).astype(np.uint8), mask=unknown)
        columns[name] = pa.FixedSizeListArray.from_arrays(values, len(COVERAGE_LEVELS))
        del pct, flat, unknown, values
    ranks = pa.table(columns)  # noqa: F841 - read by name in the SQL below
    del columns, col
    misplaced = con.execute(
        "SELECT count(*) FROM cluster_input i POSITIONAL JOIN ranks r WHERE i.rowid IS DISTINCT FROM r.row_"
    ).fetchone()[0]
    if misplaced:
        raise RuntimeError(f"{misplaced} percentile ranks would land on the wrong cell")
    con.execute(
        "CREATE OR REPLACE TABLE cluster_input AS "
        "SELECT i.*, r.* EXCLUDE (row_) FROM cluster_input i POSITIONAL JOIN ranks r"
    )
    con.execute("CREATE OR REPLACE TABLE cluster_coverage_levels (level DOUBLE, pos INTEGER)")
    con.executemany(
        "INSERT INTO cluster_coverage_levels VALUES (?, ?)", [(lv, i + 1) for i, lv in enumerate(COVERAGE_LEVELS)]
    )
