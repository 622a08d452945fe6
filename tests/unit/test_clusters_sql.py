"""LQ, percentile ranks and stars of ``cluster_cells`` on four regions computed by hand.

Persons employed, one year (2014), sectors C10 and C29; R3's C29 cell is confidential (NULL, flag c):

    region  C10  C29    E_r        LQ C10                     LQ C29
    R1      100  300    400   (100/400)/(500/900) = 0.45   (300/400)/(400/900) = 1.6875
    R2      200   50    250   (200/250)/(5/9)     = 1.44   (50/250)/(4/9)      = 0.45
    R3       50    c     50   (50/50)/(5/9)       = 1.8    unknown
    R4      150   50    200   (150/200)/(5/9)     = 1.35   (50/200)/(4/9)      = 0.5625
    E_s     500  400    E = 900 (confidential cell not counted)

Percentile rank = round(100/n * (rank - 0.5)), ties at the lowest rank, among regions with persons > 0.
C10 persons ranks R3 1, R1 2, R4 3, R2 4 -> 13, 38, 63, 88. C29: R2 and R4 tie at 50 (rank 1) -> 17, 17; R1 -> 83.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mapping import clusters
from mapping.ingest.derived import build_derived

CELLS = [
    # region, nace, persons, local_units, wages_meur, flag
    ("R1", "C10", 100, 10, 5.0, None),
    ("R1", "C29", 300, 30, 30.0, None),
    ("R2", "C10", 200, 20, 6.0, None),
    ("R2", "C29", 50, 5, 2.0, None),
    ("R3", "C10", 50, 5, 3.0, None),
    ("R3", "C29", None, None, None, "c"),
    ("R4", "C10", 150, 15, 4.5, None),
    ("R4", "C29", 50, 8, 2.5, None),
]
SOURCE = "eurostat_sbs_r_nuts06_r2"


def make_db(cells=CELLS, year=2014, *, sectors=("C10", "C29")) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE regions (code VARCHAR, nuts_version VARCHAR, level INTEGER, country VARCHAR)")
    con.execute("CREATE TABLE nace (code VARCHAR, level VARCHAR, parent VARCHAR)")
    con.execute(
        """CREATE TABLE employment (region_code VARCHAR, nuts_version VARCHAR, nace VARCHAR, year INTEGER,
           persons DOUBLE, local_units DOUBLE, wages_meur DOUBLE, flag VARCHAR, source_id VARCHAR)"""
    )
    regions = sorted({c[0] for c in cells})
    con.executemany("INSERT INTO regions VALUES (?, '2021', 2, 'XX')", [[r] for r in regions])
    con.executemany("INSERT INTO nace VALUES (?, 'division', 'C')", [[s] for s in sectors])
    con.executemany(
        "INSERT INTO employment VALUES (?, '2021', ?, ?, ?, ?, ?, ?, ?)",
        [[r, n, year, p, u, w, f, SOURCE] for r, n, p, u, w, f in cells],
    )
    build_derived(con)
    return con


def cells_frame(con, **thr) -> pd.DataFrame:
    t = clusters.Thresholds(**thr)
    df = con.execute(
        "SELECT * FROM cluster_cells('division', $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, "
        "min_coverage := $min_coverage)",
        t.params(),
    ).df()
    return df.set_index(["region_code", "nace"])


@pytest.fixture(scope="module")
def con():
    c = make_db()
    yield c
    c.close()


def test_location_quotients_and_denominators(con):
    df = cells_frame(con)
    assert df.loc[("R1", "C29"), "lq"] == pytest.approx(1.6875)
    assert df.loc[("R1", "C10"), "lq"] == pytest.approx(0.45)
    assert df.loc[("R2", "C10"), "lq"] == pytest.approx(1.44)
    assert df.loc[("R3", "C10"), "lq"] == pytest.approx(1.8)
    assert df.loc[("R4", "C29"), "lq"] == pytest.approx(0.5625)
    assert df.loc[("R1", "C29"), ["e_r", "e_s", "e_all"]].tolist() == [400, 400, 900]


def test_confidential_cell_is_unknown_not_zero(con):
    df = cells_frame(con)
    r3 = df.loc[("R3", "C29")]
    assert pd.isna(r3["persons"]) and pd.isna(r3["lq"]) and r3["flag"] == "c"
    assert df.loc[("R3", "C10"), "e_r"] == 50  # the confidential cell adds nothing to R3's total
    assert df.loc[("R3", "C10"), "coverage_r"] == 0.5 and df.loc[("R3", "C10"), "confidential_r"] == 1
    assert df.loc[("R1", "C10"), "coverage_r"] == 1.0
    assert r3["stars_observatory"] == 0 and pd.isna(r3["size_pct"])


def test_percentile_ranks_with_a_tie(con):
    df = cells_frame(con)
    assert [df.loc[(r, "C10"), "size_pct"] for r in ("R3", "R1", "R4", "R2")] == [13, 38, 63, 88]
    # R2 and R4 tie at 50 persons: both take the lowest rank (1) -> round(100/3 * 0.5) = 17.
    assert df.loc[("R2", "C29"), "size_pct"] == df.loc[("R4", "C29"), "size_pct"] == 17
    assert df.loc[("R1", "C29"), "size_pct"] == 83
    # Within a sector the LQ rank is the share rank.
    assert (df["lq_pct"].dropna() == df["share_pct"].dropna()).all()


def test_tied_top_values_both_miss_a_top_share_star():
    cells = [
        ("A", "C10", 10, 1, 1.0, None),
        ("B", "C10", 20, 1, 1.0, None),
        ("C", "C10", 30, 1, 1.0, None),
        ("D", "C10", 30, 1, 1.0, None),
        ("A", "C29", 1, 1, 1.0, None),
    ]
    df = cells_frame(make_db(cells), top_pct=25)
    # ranks 1, 2, 3, 3 of 4 -> 13, 38, 63, 63: with ties at the lowest rank no one reaches the top quarter (>= 75).
    assert [df.loc[(r, "C10"), "size_pct"] for r in "ABCD"] == [13, 38, 63, 63]
    assert not df.xs("C10", level="nace")["star_size"].any()


def test_observatory_stars_by_hand(con):
    df = cells_frame(con, spec_lq=1.5, top_pct=20)  # star thresholds: LQ >= 1.5, percentile >= 80
    stars = df["stars_observatory"].to_dict()
    assert stars[("R1", "C29")] == 3  # size 83, LQ 1.69, focus 83
    assert stars[("R3", "C10")] == 2  # LQ 1.8, focus: share 1.0 -> 88; size 13
    assert stars[("R2", "C10")] == 1  # size 88 only (LQ 1.44, focus 63)
    assert stars[("R4", "C10")] == 0 and stars[("R2", "C29")] == 0
    # The default thresholds (LQ >= 2, top 10%) leave only R2's size star in C10 (88 < 90: none) -> no stars.
    assert cells_frame(con)["stars_observatory"].sum() == 0


def test_panorama_productivity_star(con):
    df = cells_frame(con, spec_lq=1.5, top_pct=20)
    # wages per person in C29: R1 30e6/300 = 100k, R2 2e6/50 = 40k, R4 2.5e6/50 = 50k -> R1 pct 83 -> star.
    assert df.loc[("R1", "C29"), "wage_per_person"] == pytest.approx(100_000)
    assert df.loc[("R1", "C29"), "star_prod"] and df.loc[("R1", "C29"), "stars_panorama"] == 3


def test_cmp_strong_cluster(con):
    df = cells_frame(con)  # LQ pct >= 75, LQ >= 1, employment and local units pct > 25
    strong = df["cmp_strong"].fillna(False).to_dict()
    assert strong[("R1", "C29")] is True  # LQ pct 83, LQ 1.69, size 83, units 83
    # R3 C10: LQ pct 88 and LQ 1.8 but the smallest employment (pct 13): not strong.
    assert strong[("R3", "C10")] is False
    assert sum(strong.values()) == 1


def test_moving_a_threshold_flips_cells(con):
    base = cells_frame(con, spec_lq=2.0, top_pct=20)["stars_observatory"]
    alt = cells_frame(con, spec_lq=1.5, top_pct=20)["stars_observatory"]
    flipped = sorted(base[base != alt].index)
    assert flipped == [("R1", "C29"), ("R3", "C10")]  # LQ 1.69 and 1.8 pass 1.5 but not 2


def test_pandas_reference_agrees_on_the_hand_example(con):
    emp = con.execute("SELECT * FROM employment").df()
    reg = con.execute("SELECT * FROM regions").df()
    nace = con.execute("SELECT * FROM nace").df()
    thr = clusters.Thresholds(spec_lq=1.5, top_pct=20)
    ref = clusters.reference_cells(emp, reg, nace, sector_set="division", thr=thr).set_index(["region_code", "nace"])
    sql = cells_frame(con, spec_lq=1.5, top_pct=20)
    for col in ("lq", "size_pct", "share_pct", "units_pct", "wage_pct", "stars_observatory", "stars_panorama"):
        pd.testing.assert_series_equal(
            ref[col].astype(float).sort_index(), sql[col].astype(float).sort_index(), check_names=False
        )


def test_the_coverage_rule_leaves_out_fragments():
    """R5 publishes one of three sectors (33% < 50%): its cell is left out before anything is computed, so it earns
    no star and does not count in E_s or E; cluster_excluded lists it with the reason. At min_coverage 0 it counts:
    R5's C10 LQ = (80/80) / (580/1020) = 1.76, a specialisation star at LQ >= 1.5 it does not deserve."""
    cells = [*[(r, n, p, u, w, f) for r, n, p, u, w, f in CELLS], ("R1", "C30", 10, 1, 1.0, None),
             ("R2", "C30", 10, 1, 1.0, None), ("R3", "C30", 10, 1, 1.0, None), ("R4", "C30", 10, 1, 1.0, None),
             ("R5", "C10", 80, 8, 4.0, None), ("R5", "C29", None, None, None, "c"),
             ("R5", "C30", None, None, None, "c")]  # fmt: skip
    con = make_db(cells, sectors=("C10", "C29", "C30"))
    ruled = cells_frame(con, spec_lq=1.5)
    assert "R5" not in ruled.index.get_level_values(0)
    assert ruled.loc[("R1", "C10"), "e_s"] == 500 and ruled.loc[("R1", "C10"), "e_all"] == 940
    everything = cells_frame(con, min_coverage=0.0, spec_lq=1.5)
    assert everything.loc[("R5", "C10"), "lq"] == pytest.approx((80 / 80) / (580 / 1020))
    assert everything.loc[("R5", "C10"), "star_spec"]
    excluded = con.execute("SELECT * FROM cluster_excluded('division', 0.5)").df()
    assert excluded[["region_code", "year", "known_r", "n_sectors"]].values.tolist() == [["R5", 2014, 1, 3]]
    assert excluded["reason"].iloc[0] == "1 of 3 sectors with a published value (33%), below the coverage rule (50%)"
    con.close()


def test_a_sector_group_of_the_users_own_is_one_more_sector():
    """Group = C10 + 0.5 x C29. Cells: R1 100 + 150 = 250, R2 200 + 25 = 225, R3 unknown (its C29 is confidential),
    R4 150 + 25 = 175; E_g = 650, while E_r and E stay the sums of the real sectors (R1 400, R2 250, R4 200; E = 900).
    LQ: R1 (250/400)/(650/900) = 0.8654, R2 (225/250)/(650/900) = 1.2462, R4 (175/200)/(650/900) = 1.2115.
    Size percentiles among the 3 known: R4 17, R2 50, R1 83."""
    con = make_db()
    df = (
        con.execute("SELECT * FROM cluster_group_cells('division', 2.0, 10, 75, 25, ['C10', 'C29'], [1.0, 0.5])")
        .df()
        .set_index(["region_code", "nace"])
    )
    assert df.loc[("R1", "GROUP"), "persons"] == 250 and pd.isna(df.loc[("R3", "GROUP"), "persons"])
    assert df.loc[("R3", "GROUP"), "flag"] == "c"
    assert df.loc[("R1", "GROUP"), "lq"] == pytest.approx(0.625 / (650 / 900))
    assert df.loc[("R2", "GROUP"), "lq"] == pytest.approx(0.9 / (650 / 900))
    assert df.loc[("R4", "GROUP"), "lq"] == pytest.approx(0.875 / (650 / 900))
    assert df.loc[[("R4", "GROUP"), ("R2", "GROUP"), ("R1", "GROUP")], "size_pct"].tolist() == [17, 50, 83]
    assert df.loc[("R1", "GROUP"), ["e_r", "e_s", "e_all"]].tolist() == [400, 650, 900]
    plain = cells_frame(con)
    assert df.loc[("R1", "C29"), "lq"] == plain.loc[("R1", "C29"), "lq"] == pytest.approx(1.6875)  # others unchanged
    assert "GROUP" not in set(plain.index.get_level_values(1))
    con.close()


def test_a_coverage_level_the_build_did_not_precompute_is_refused_by_name():
    con = make_db()
    with pytest.raises(
        duckdb.Error, match=r"min_coverage must be one of the precomputed levels 0, 0\.25, 0\.5, 0\.75, not 0\.3"
    ):
        con.execute("SELECT * FROM cluster_cells('division', 2.0, 10, 75, 25, min_coverage := 0.3)").fetchall()
    con.close()


def test_the_coverage_levels_written_in_the_macros_are_the_ones_the_build_ranks():
    text = (Path(__file__).parents[2] / "mapping" / "ingest" / "macros.sql").read_text()
    written = "min_coverage IN (" + ", ".join(f"{v:g}" for v in clusters.COVERAGE_LEVELS) + ")"
    assert text.count(written) == 1


@pytest.mark.parametrize("thr", [(2.0, 10, 75, 25), (1.0, 5, 50, 40), (1.25, 20, 90, 10)])
def test_the_group_macro_gives_the_other_cells_the_stars_of_cluster_cells(thr):
    con = make_db()
    args = ", ".join(str(x) for x in thr)
    diff = con.execute(
        f"SELECT * FROM cluster_group_cells('division', {args}, ['C10'], [1.0]) WHERE nace <> 'GROUP' "
        f"EXCEPT SELECT * FROM cluster_cells('division', {args})"
    ).fetchall()
    assert diff == []
    con.close()
