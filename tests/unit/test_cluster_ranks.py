"""Percentile ranks computed once at build time (mapping/ingest/cluster_ranks.py), by hand and against SQL's rank()."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from mapping.ingest.cluster_ranks import percentile_ranks


def test_ties_share_the_lowest_rank_and_unknowns_do_not_count():
    """Part 1: values 5, 5, 7, NaN, 9 -> ranks 1, 1, 3, -, 4 of n = 4: round(100/4 x (r - 0.5)) = 13, 13, 63, -, 88
    (12.5 and 62.5 round half away from zero, as SQL's round; numpy's round would give 12 and 62)."""
    part = np.array([1, 1, 1, 1, 1])
    value = np.array([5.0, 5.0, 7.0, np.nan, 9.0])
    got = percentile_ranks(part, value, np.ones(5, dtype=bool))
    assert np.isnan(got[3])
    assert got[[0, 1, 2, 4]].tolist() == [13, 13, 63, 88]


def test_cells_left_out_neither_rank_nor_count():
    """Two parts, interleaved; the cell 1 (value 1) is not kept: part 1 ranks 3 and 2 among n = 2 -> 75, 25."""
    part = np.array([1, 2, 1, 2, 1])
    value = np.array([3.0, 10.0, 1.0, 20.0, 2.0])
    kept = np.array([True, True, False, True, True])
    got = percentile_ranks(part, value, kept)
    assert np.isnan(got[2])
    assert got[[0, 4]].tolist() == [75, 25]
    assert got[[1, 3]].tolist() == [25, 75]


def test_nothing_kept_gives_no_rank():
    assert np.isnan(percentile_ranks(np.array([1, 1]), np.array([1.0, 2.0]), np.zeros(2, dtype=bool))).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_equals_sql_rank_on_random_parts_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = 5000
    part = rng.integers(0, 40, n)
    value = rng.integers(0, 30, n).astype(float)  # many ties
    value[rng.random(n) < 0.1] = np.nan
    kept = rng.random(n) < 0.8
    got = percentile_ranks(part, value, kept)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (SELECT unnest($1) AS part, unnest($2) AS v, unnest($3) AS k, "
                "unnest(range(len($1))) AS i)", [part.tolist(), [None if np.isnan(x) else x for x in value],
                                                 kept.tolist()])  # fmt: skip
    sql = con.execute(
        "SELECT i, round(100.0 / count(*) OVER (PARTITION BY part) "
        "* (rank() OVER (PARTITION BY part ORDER BY v) - 0.5)) FROM t WHERE k AND v IS NOT NULL"
    ).fetchall()
    expected = np.full(n, np.nan)
    for i, pct in sql:
        expected[i] = pct
    assert ((np.isnan(got) & np.isnan(expected)) | (got == expected)).all()
