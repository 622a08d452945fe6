"""Percentile ranks of every cluster cell at every level of the coverage rule, computed once at build time.

The star methods compare percentile ranks within a sector and year (``cluster_cells`` in macros.sql). The ranks do
not depend on the thresholds, only on which region-years the coverage rule keeps; so they are computed here for
each level a user can choose (``clusters.COVERAGE_LEVELS``) and stored beside the cells, and a page only compares.

How: DuckDB sorts the cells of each measure once by part and value (in parallel, on a narrow projection); a rank
among the cells a level keeps is then 1 + the kept cells of the part before the cell's group of ties, a count numpy
reads off a cumulative sum in one sequential pass per level. The SQL form of the same count (framed window sums) is
10-100x slower than rank(), and a rank() window per level and measure would be 16 sorts instead of 4.

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


def ranks_by_level(part: np.ndarray, value: np.ndarray, coverage: np.ndarray, levels) -> np.ndarray:
    """Percentile ranks at every level, for cells sorted by part, then value: column i ranks the cells with
    ``coverage >= levels[i]`` among those of their part (NaN for the others).

    Args:
        part: per cell, its part (set, sector, year), non-decreasing.
        value: per cell, the measure, non-decreasing within a part (cells without one are not passed).
        coverage: per cell, its region-year's coverage (cluster_input.coverage_in).
    """
    m = len(part)
    out = np.full((m, len(levels)), np.nan, dtype=np.float32)  # 0-100 and NaN: float32 holds them exactly
    if not m:
        return out
    # In place and in 32 bits where it can: at 100x scale a fresh 100 MB array costs more in page faults than the
    # arithmetic on it (2-3x slower on this 2-core VM).
    new_part = np.empty(m, dtype=bool)
    new_part[0] = True
    np.not_equal(part[1:], part[:-1], out=new_part[1:])
    new_tie = np.empty(m, dtype=bool)
    new_tie[0] = True
    np.not_equal(value[1:], value[:-1], out=new_tie[1:])
    new_tie |= new_part
    pos = np.arange(m, dtype=np.int32)
    part_first = np.where(new_part, pos, 0)
    np.maximum.accumulate(part_first, out=part_first)
    tie_first = np.where(new_tie, pos, 0)
    np.maximum.accumulate(tie_first, out=tie_first)
    del pos, new_tie
    part_starts = np.flatnonzero(new_part)
    part_size = np.diff(np.r_[part_starts, m])
    before = np.empty(m, dtype=np.int32)
    below = np.empty(m, dtype=np.int32)
    raw = np.empty(m)
    for i, level in enumerate(levels):
        kept = coverage >= level
        np.cumsum(kept, out=before)
        before -= kept  # kept cells strictly before each position
        np.subtract(before[tie_first], before[part_first], out=below)  # ... in the part, before the ties' group
        n_kept = np.repeat(np.add.reduceat(kept, part_starts, dtype=np.int64), part_size)
        # 100 / n x (rank - 0.5) with rank = below + 1, in the same order of operations as SQL
        np.subtract(below, 0.5, out=raw)
        raw += 1
        with np.errstate(divide="ignore", invalid="ignore"):
            np.multiply(100.0 / n_kept, raw, out=raw)
        raw += 0.5  # SQL rounds halves away from zero; numpy's round would round them to even
        np.floor(raw, out=raw)
        raw[~kept] = np.nan
        out[:, i] = raw
    return out


def _ranked(con: duckdb.DuckDBPyConnection, measure: str, n: int, coverage: np.ndarray) -> np.ndarray:
    """(n, levels) percentile ranks of ``measure`` for every row of cluster_input: DuckDB sorts the active cells
    that have a value by part and value (in parallel: 3x faster than a rank() window), numpy ranks them."""
    part = "(CASE sector_set WHEN 'division' THEN 0 WHEN 'section' THEN 1 ELSE 2 END) * 10000000 + year * 1000 + nid"
    got = con.execute(
        f"SELECT rowid AS row_, {part} AS part, {measure}::DOUBLE AS v FROM cluster_input "
        f"WHERE persons > 0 AND {measure} IS NOT NULL ORDER BY part, v"
    ).fetchnumpy()
    row = np.asarray(got["row_"])
    out = np.full((n, len(COVERAGE_LEVELS)), np.nan, dtype=np.float32)
    out[row] = ranks_by_level(np.asarray(got["part"]), np.asarray(got["v"]), coverage[row], COVERAGE_LEVELS)
    return out


def add_ranks(con: duckdb.DuckDBPyConnection) -> None:
    """Replace ``cluster_input`` by itself plus one percentile column per measure (``size_pct``, ...: UTINYINT[k],
    element i the rank at the i-th level of the rule, NULL where the cell has none), and write
    ``cluster_coverage_levels`` (level, pos: the 1-based element of those arrays)."""
    cells = con.execute("SELECT rowid AS row_, coverage_in FROM cluster_input").to_arrow_table()
    row = cells["row_"].to_numpy()
    coverage = cells["coverage_in"].to_numpy(zero_copy_only=False)
    del cells
    n = len(row)
    if not np.array_equal(row, np.arange(n)):
        raise RuntimeError("cluster_input was not read in its stored order")
    columns = {"row_": pa.array(row)}
    for measure, name in MEASURES.items():
        flat = _ranked(con, measure, n, coverage).ravel()
        unknown = np.isnan(flat)
        values = pa.array(np.where(unknown, 0, flat).astype(np.uint8), mask=unknown)
        columns[name] = pa.FixedSizeListArray.from_arrays(values, len(COVERAGE_LEVELS))
        del flat, unknown, values
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
