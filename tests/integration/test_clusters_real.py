"""Cluster methods on the real build: SQL equals an independent pandas computation; known regions lead."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mapping import clusters, db

pytestmark = pytest.mark.integration
COLUMNS = [
    "lq",
    "share_r",
    "coverage_r",
    "size_pct",
    "share_pct",
    "lq_pct",
    "units_pct",
    "wage_pct",
    "stars_observatory",
    "stars_panorama",
    "cmp_strong",
]


@pytest.fixture(scope="module")
def con(real_db):
    c = db.connect(real_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def tables(con):
    emp = db.run_sql(con, "SELECT * FROM employment", row_cap=10**7)
    reg = db.run_sql(con, "SELECT code, nuts_version, level, country FROM regions")
    nace = db.run_sql(con, "SELECT code, level, parent FROM nace")
    return emp, reg, nace


@pytest.mark.parametrize("min_coverage", clusters.COVERAGE_LEVELS)
@pytest.mark.parametrize("sector_set", list(clusters.SECTOR_SETS))
def test_sql_equals_pandas_on_every_cell(con, tables, sector_set, min_coverage):
    """The ranks the build precomputed for every level of the coverage rule, and the LQs and stars cluster_cells
    derives from them, against the independent pandas implementation from the raw tables."""
    thr = clusters.Thresholds(spec_lq=1.5, top_pct=10, cmp_lq_pct=75, cmp_size_pct=25, min_coverage=min_coverage)
    sql = db.run_sql(
        con,
        "SELECT * FROM cluster_cells($s, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, "
        "min_coverage := $min_coverage)",
        {"s": sector_set, **thr.params()},
        row_cap=10**7,
    )
    ref = clusters.reference_cells(*tables, sector_set=sector_set, thr=thr)
    key = ["region_code", "nuts_version", "nace", "year"]
    merged = ref.merge(sql, on=key, suffixes=("_pd", "_sql"), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) > 1000
    for col in COLUMNS:
        a = pd.to_numeric(merged[f"{col}_pd"], errors="coerce").astype(float).to_numpy()
        b = pd.to_numeric(merged[f"{col}_sql"], errors="coerce").astype(float).to_numpy()
        same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-9, atol=1e-12)
        assert same.all(), f"{col}: {int((~same).sum())} cells differ"


def test_known_automotive_regions_lead_c29(con):
    top = db.query(
        con,
        "cluster_sector_view",
        sector_set="division",
        nace="C29",
        year=2014,
        method="observatory",
        **clusters.DEFAULTS.params(),
    ).head(12)
    codes = set(top["code"])
    assert {"DE11", "CZ02", "HU22", "DE22"} <= codes  # Stuttgart, Stredni Cechy (Mlada Boleslav), Gyor, Niederbayern
    stuttgart = top.set_index("code").loc["DE11"]
    assert stuttgart["stars"] == 3 and stuttgart["size_pct"] == 100


def test_confidential_cells_never_get_an_lq(con):
    n, with_lq = db.run_sql(
        con, "SELECT count(*) n, count(lq) l FROM cluster_cells('division', 2.0, 10, 75, 25) WHERE flag LIKE '%c%'"
    ).iloc[0]
    assert n > 1000 and with_lq == 0


def test_manufacturing_2022_extract_has_no_cmp_verdict(con):
    df = db.run_sql(
        con,
        "SELECT count(cmp_strong) n, count(*) c "
        "FROM cluster_cells('manufacturing', 2.0, 10, 75, 25, only_year := 2022)",
    )
    assert df["c"].iloc[0] > 1000 and df["n"].iloc[0] == 0  # no local units in the 2022 extract: no CMP verdict


def test_manufacturing_set_spans_both_tables_and_keeps_each_source(con):
    years = db.query(con, "cluster_years", sector_set="manufacturing").set_index("year")
    assert {2008, 2014, 2022} <= set(years.index)
    assert years.at[2014, "source_ids"] == "eurostat_sbs_r_nuts06_r2"
    assert years.at[2022, "source_ids"] == "eurostat_sbs_r_nuts2021_manuf"
    assert bool(years.at[2014, "has_units"]) and not bool(years.at[2022, "has_units"])
    assert clusters.default_year(years.reset_index()) == 2022


def test_default_year_skips_a_thin_newest_year(con):
    years = db.query(con, "cluster_years", sector_set="division")
    assert years["year"].max() == 2015 and clusters.default_year(years) == 2014  # 2015: 167 regions, 2014: 282


def test_growth_across_a_change_of_table_is_a_break_not_growth(con):
    port = db.query(
        con,
        "cluster_portfolio",
        sector_set="manufacturing",
        region="DE11",
        year=2022,
        base_year=2014,
        method="observatory",
        **clusters.DEFAULTS.params(),
    ).set_index("nace")
    c29 = port.loc["C29"]
    assert c29["persons"] == 152_899 and pd.isna(c29["growth"])
    assert c29["series_break"].startswith("change of table: eurostat_sbs_r_nuts06_r2 (")
    assert c29["series_break"].endswith("-> eurostat_sbs_r_nuts2021_manuf (2022)")
    same_table = db.query(
        con,
        "cluster_portfolio",
        sector_set="manufacturing",
        region="DE11",
        year=2014,
        base_year=2010,
        method="observatory",
        **clusters.DEFAULTS.params(),
    ).set_index("nace")
    flagged = same_table["series_break"].notna()
    assert same_table.loc[~flagged, "growth"].notna().sum() > 10  # plain growth where no break lies between


def test_ukd7_2010_fragments_earn_no_stars(con):
    """UKD7 (Merseyside) in 2010 publishes 3 of 68 divisions (construction, under its new code) while its other
    divisions stay under the old UKD2+UKD5 group: LQs of 8.9-11.6 on F41-F43 and stars, before the coverage rule."""
    params = clusters.DEFAULTS.params()
    ruled = db.query(con, "cluster_sector_view", sector_set="division", nace="F43", year=2010, method="observatory",
                     **params)  # fmt: skip
    assert "UKD7" not in set(ruled.loc[ruled["stars"] >= 1, "code"])
    loose = db.query(con, "cluster_sector_view", sector_set="division", nace="F43", year=2010, method="observatory",
                     **{**params, "min_coverage": 0.0})  # fmt: skip
    row = loose.set_index("code").loc["UKD7"]
    assert row["lq"] > 8 and row["stars"] >= 1  # what the rule prevents
    excluded = db.query(con, "cluster_excluded", sector_set="division", year=2010, min_coverage=0.5)
    assert {"UKD6", "UKD7"} <= set(excluded["code"])
    assert excluded.set_index("code").at["UKD7", "known_r"] == 3


def test_a_sector_group_equals_its_members_summed_by_hand(con):
    """The automotive example's LQ for every region, from the plain cells of its six members (a region with any
    member unknown has no group value); Stuttgart leads it."""
    members = ["C22", "C24", "C25", "C27", "C28", "C29"]
    cells = db.run_sql(
        con,
        "SELECT region_code, nuts_version, nace, persons, e_r, e_all FROM cluster_cells('division', 2.0, 10, 75, 25, "
        "only_year := 2014)",
        row_cap=10**6,
    )
    mine = cells[cells["nace"].isin(members)]
    key = ["region_code", "nuts_version"]
    known = mine.groupby(key)["persons"].apply(lambda p: p.notna().all() and len(p) == len(members))
    g = mine.groupby(key).agg(persons=("persons", "sum"), e_r=("e_r", "first"), e_all=("e_all", "first"))[known]
    expected = (g["persons"] / g["e_r"]) / (g["persons"].sum() / g["e_all"].iloc[0])
    view = db.query(con, "cluster_group_view", sector_set="division", nace="GROUP", year=2014, method="observatory",
                    **clusters.DEFAULTS.params(), members=members, weights=[1.0] * 6)  # fmt: skip
    got = view.dropna(subset=["lq"]).set_index(["code", "nuts_version"])["lq"]
    assert len(got) == len(expected) > 150
    assert np.allclose(got.loc[expected.index], expected)
    assert view.iloc[0]["code"] == "DE11" and view.iloc[0]["stars"] == 3


@pytest.mark.parametrize("method", list(clusters.METHODS))
@pytest.mark.parametrize("param", list(clusters.SWEEPS))
def test_the_one_query_sweep_counts_what_cluster_cells_stars_at_every_value(con, method, param):
    """cluster_sweep writes the star rules with a moving threshold; at each value it must count what
    cluster_star_counts (cluster_cells' own stars) counts."""
    q = lambda name, **kw: db.query(con, name, **kw)  # noqa: E731
    base = clusters.Thresholds(spec_lq=1.5, top_pct=10, cmp_lq_pct=75, cmp_size_pct=25)
    curve = clusters.threshold_curve(q, sector_set="division", year=2014, method=method, base=base, param=param)
    for row in curve.itertuples():
        thr = dataclasses.replace(base, **{param: float(row.value)})
        expected = clusters.star_counts(q, sector_set="division", year=2014, method=method, thr=thr)
        assert (row.at_least_1, row.at_least_2, row.three) == tuple(expected.values()), (param, row.value)
    assert len(curve) == len(clusters.SWEEPS[param][1]) and curve["at_least_1"].max() > 0
