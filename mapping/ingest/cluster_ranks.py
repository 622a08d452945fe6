"""Percentile ranks of every cluster cell at every level of the coverage rule, computed once at build time.

The star methods compare percentile ranks within a sector and year (``cluster_cells`` in macros.sql). The ranks do
not depend on the thresholds, only on which region-years the coverage rule keeps; so they are computed here for
each level a user can choose (``clusters.COVERAGE_LEVELS``) and stored beside the cells, and a page only compares.

How: DuckDB ranks each measure once among all the cells that have one (a window sort on a narrow projection, on
every core); a rank among the cells a level keeps is then 1 + the kept cells of the part with a lower rank, a count
numpy reads off a cumulative sum in one pass per level, with no further sort. The SQL form of the same count (framed
window sums) is 10-100x slower than rank(), and a window per level and measure would be 16 sorts instead of 4.

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


def ranks_by_level(part_start: np.ndarray, rank_all: np.ndarray, coverage: np.ndarray, levels) -> np.ndarray:
    """Percentile ranks at every level: column i ranks the cells with ``coverage >= levels[i]``; NaN elsewhere.

    Args:
        part_start: per cell, the row of the first cell of its part (set, sector, year); a part's cells are
            contiguous.
        rank_all: per cell, the rank of its value among the cells of the part that have one (ties share the lowest
            rank, as SQL's rank()); 0 where the cell has no value or no employment.
        coverage: per cell, its region-year's coverage (cluster_input.coverage_in).
    """
    n = len(rank_all)
    out = np.full((n, len(levels)), np.nan)
    ranked = rank_all > 0
    # one slot per rank inside the part's own rows: tied cells share a slot, lower values come first
    slot = np.where(ranked, part_start + rank_all - 1, part_start)
    for i, level in enumerate(levels):
        kept = ranked & (coverage >= level)
        per_slot = np.bincount(slot[kept], minlength=n)
        below = np.cumsum(per_slot) - per_slot  # kept cells in lower slots, over the whole table
        rank = below[slot] - below[part_start] + 1  # ... of the same part: ties share the lowest rank
        n_kept = np.bincount(part_start[kept], minlength=n)[part_start]
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 100.0 / n_kept * (rank - 0.5)
        # SQL rounds halves away from zero; numpy's round would round them to even
        out[:, i] = np.where(kept, np.floor(raw + 0.5), np.nan)
    return out


def _rank_all(con: duckdb.DuckDBPyConnection, measure: str, part_start: np.ndarray) -> np.ndarray:
    """Per cell, the rank of ``measure`` among the active cells of its part that have one (ties share the lowest
    rank); 0 elsewhere. DuckDB sorts (in parallel, 3x faster than a rank() window over the same rows); numpy reads
    the ranks off the sorted order."""
    part = "(CASE sector_set WHEN 'division' THEN 0 WHEN 'section' THEN 1 ELSE 2 END) * 10000000 + year * 1000 + nid"
    got = con.execute(
        f"SELECT rowid AS row_, {measure}::DOUBLE AS v FROM cluster_input WHERE persons > 0 AND {measure} IS NOT NULL "
        f"ORDER BY {part}, {measure}"
    ).fetchnumpy()
    row, v = got["row_"], np.asarray(got["v"])
    rank_all = np.zeros(len(part_start), dtype=np.int64)
    if not len(row):
        return rank_all
    start = part_start[row]
    new_tie = np.empty(len(row), dtype=bool)
    new_tie[0] = True
    new_tie[1:] = (start[1:] != start[:-1]) | (v[1:] != v[:-1])
    pos = np.arange(len(row))
    tie_start = np.maximum.accumulate(np.where(new_tie, pos, 0))
    first_of_part = np.maximum.accumulate(np.where(np.r_[True, start[1:] != start[:-1]], pos, 0))
    rank_all[row] = tie_start - first_of_part + 1
    return rank_all


def add_ranks(con: duckdb.DuckDBPyConnection) -> None:
    """Replace ``cluster_input`` by itself plus one percentile column per measure (``size_pct``, ...: UTINYINT[k],
    element i the rank at the i-th level of the rule, NULL where the cell has none), and write
    ``cluster_coverage_levels`` (level, pos: the 1-based element of those arrays)."""
    cells = con.execute(
        "SELECT rowid AS row_, (CASE sector_set WHEN 'division' THEN 0 WHEN 'section' THEN 1 ELSE 2 END) * 10000000"
        " + year * 1000 + nid AS part, coverage_in FROM cluster_input"
    ).to_arrow_table()
    row = cells["row_"].to_numpy()
    part = cells["part"].to_numpy()
    coverage = cells["coverage_in"].to_numpy(zero_copy_only=False)
    del cells
    n = len(row)
    if not np.array_equal(row, np.arange(n)):
        raise RuntimeError("cluster_input was not read in its stored order")
    starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]]) if n else np.array([], dtype=np.int64)
    if len(np.unique(part[starts])) != len(starts):
        raise RuntimeError("cluster_input is not sorted by set, year and sector")
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    part_start = starts[np.cumsum(first) - 1]
    del part
    columns = {"row_": pa.array(row)}
    for measure, name in MEASURES.items():
        rank_all = _rank_all(con, measure, part_start)
        flat = ranks_by_level(part_start, rank_all, coverage, COVERAGE_LEVELS).ravel()
        unknown = np.isnan(flat)
        values = pa.array(np.where(unknown, 0, flat).astype(np.uint8), mask=unknown)
        columns[name] = pa.FixedSizeListArray.from_arrays(values, len(COVERAGE_LEVELS))
        del flat, unknown, values, rank_all
    ranks = pa.table(columns)  # noqa: F841 - read by name in the SQL below
    del columns
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
