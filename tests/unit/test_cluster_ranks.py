"""Percentile ranks computed once at build time (mapping/ingest/cluster_ranks.py), by hand and against SQL's rank()."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from mapping.ingest.cluster_ranks import add_ranks, ranks_by_level


def test_ties_share_the_lowest_rank():
    """One part, values 5, 5, 7, 9 -> ranks 1, 1, 3, 4 of n = 4: round(100/4 x (r - 0.5)) = 13, 13, 63, 88
    (12.5 and 62.5 round half away from zero, as SQL's round; numpy's round would give 12 and 62)."""
    got = ranks_by_level(np.zeros(4, dtype=int), np.array([5.0, 5.0, 7.0, 9.0]), np.ones(4), [0.5])[:, 0]
    assert got.tolist() == [13, 13, 63, 88]


def test_cells_a_level_leaves_out_neither_rank_nor_count():
    """Part A values 1, 2, 3 (sorted), the cell with 1 in a region-year of coverage 0.2; part B values 10, 20. At
    level 0: A 17, 50, 83 and B 25, 75; at level 0.5 the cell with 1 is out: A's 2 and 3 rank 1 and 2 of 2 -> 25,
    75; B unchanged."""
    part = np.array([1, 1, 1, 2, 2])
    value = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    coverage = np.array([0.2, 0.9, 0.9, 0.6, 0.6])
    got = ranks_by_level(part, value, coverage, [0.0, 0.5])
    assert got[:, 0].tolist() == [17, 50, 83, 25, 75]
    assert np.isnan(got[0, 1]) and got[1:, 1].tolist() == [25, 75, 25, 75]


def test_nothing_kept_gives_no_rank():
    assert np.isnan(ranks_by_level(np.zeros(2, dtype=int), np.array([1.0, 2.0]), np.zeros(2), [0.5])).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_add_ranks_equals_sql_rank_at_every_level(seed):
    """A random cluster_input (many ties, unknown values, zero employment, region-years of any coverage): every
    stored rank equals SQL's rank() among the cells each level keeps, in the same cell."""
    rng = np.random.default_rng(seed)
    n = 4000
    con = duckdb.connect()
    con.execute(
        """CREATE TABLE cluster_input AS
           SELECT (['division', 'section', 'manufacturing'])[1 + (i % 3)] AS sector_set, 2010 + (i // 3) % 4 AS year,
                  (i // 12) % 7 AS nid, i AS rid, p AS persons, p / 7 AS share_r, u AS local_units,
                  w AS wage_per_person, c AS coverage_in
           FROM (SELECT unnest(range($n)) AS i, unnest($p) AS p, unnest($u) AS u, unnest($w) AS w, unnest($c) AS c)
           ORDER BY sector_set, year, nid, rid""",
        {
            "n": n,
            "p": [float(x) if x >= 0 else None for x in rng.integers(-2, 25, n)],
            "u": [float(x) if x > 3 else None for x in rng.integers(0, 20, n)],
            "w": rng.integers(0, 9, n).astype(float).tolist(),
            "c": rng.choice([0.1, 0.3, 0.5, 0.6, 0.9], n).tolist(),
        },
    )
    add_ranks(con)
    for pos, level in con.execute("SELECT pos, level FROM cluster_coverage_levels").fetchall():
        for measure, name in [("persons", "size_pct"), ("local_units", "units_pct"), ("share_r", "share_pct")]:
            wrong = con.execute(
                f"""WITH kept AS (
                        SELECT rid, round(100.0 / count(*) OVER p * (rank() OVER (p ORDER BY {measure}) - 0.5)) AS e
                        FROM cluster_input WHERE persons > 0 AND {measure} IS NOT NULL AND coverage_in >= $level
                        WINDOW p AS (PARTITION BY sector_set, year, nid))
                    SELECT count(*) FROM cluster_input i LEFT JOIN kept k USING (rid)
                    WHERE i.{name}[$pos] IS DISTINCT FROM k.e""",
                {"level": level, "pos": pos},
            ).fetchone()[0]
            assert wrong == 0, (level, measure)
