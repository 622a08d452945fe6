"""The build on the real sources folder: row counts and values checked by hand in the raw files."""

from __future__ import annotations

import pytest

from mapping import db

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def con(real_db):
    c = db.connect(real_db)
    yield c
    c.close()


def plain(df):
    """Rows as lists with missing values as None (pandas 3 shows missing strings as NaN)."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def one(con, sql, **params):
    return plain(db.run_sql(con, sql, params))[0]


def test_regions_per_nuts_version(con):
    # GISCO label files 2021: 37 + 125 + 334 + 1514; 2024 all-levels file: 39 + 115 + 299 + 1345.
    got = db.run_sql(con, "SELECT nuts_version, count(*) n FROM regions WHERE NOT is_unit GROUP BY 1 ORDER BY 1")
    assert got.values.tolist() == [["2021", 2010], ["2024", 1798]]
    levels = db.run_sql(
        con,
        "SELECT level, count(*) n FROM regions WHERE nuts_version='2021' AND NOT is_unit GROUP BY 1 ORDER BY 1",
    )
    assert levels.n.tolist() == [37, 125, 334, 1514]


def test_every_region_has_screen_geometry(con):
    missing = one(
        con,
        """SELECT count(*) FROM regions r ANTI JOIN region_geometry g
           ON g.code = r.code AND g.nuts_version = r.nuts_version AND g.scale = '60M'""",
    )
    assert missing == [0]


def test_sbs_values_match_raw_tsv(con):
    # sbs_r_nuts06_r2.tsv.gz: C29,V16110,DE11 2014 = 158012; V11210 = 601; V13320 = 10071.5
    row = one(
        con,
        """SELECT persons, local_units, wages_meur, flag, placement FROM employment
           WHERE source_id = 'eurostat_sbs_r_nuts06_r2' AND region_code = 'DE11' AND nace = 'C29' AND year = 2014""",
    )
    assert row == [158012.0, 601.0, 10071.5, None, "nuts"]


def test_french_recode_keeps_value_and_flag(con):
    # C29,V16110,FR71 2014 = "25694 b"; FR71 (NUTS 2013) = FRK2 Rhone-Alpes (NUTS 2021).
    row = one(
        con,
        """SELECT persons, flag, placement, source_code FROM employment
           WHERE region_code = 'FRK2' AND nace = 'C29' AND year = 2014 AND source_id = 'eurostat_sbs_r_nuts06_r2'""",
    )
    assert row == [25694.0, "b", "recode", "FR71"]


def test_split_and_group_placements(con):
    # PL12 C29 2014 = 6613 drawn on PL91 + PL92; IE01 + IE02 C29 2012 = 634 + 1957.
    assert one(con, "SELECT persons FROM employment WHERE region_code='PL12' AND nace='C29' AND year=2014") == [6613.0]
    assert one(con, "SELECT members FROM regions WHERE code = 'PL12'") == ["PL91+PL92"]
    assert one(con, "SELECT persons FROM employment WHERE region_code='IE01+IE02' AND nace='C29' AND year=2012") == [
        2591.0
    ]
    # 2009: both IE cells are ": c" -> unknown, flagged confidential.
    assert one(
        con, "SELECT persons, flag FROM employment WHERE region_code='IE01+IE02' AND nace='C29' AND year=2009"
    ) == [
        None,
        "c",
    ]


def test_confidential_cells_are_null_never_zero(con):
    n_conf, n_nonnull = one(
        con,
        """SELECT count(*), count(persons) FROM employment
           WHERE source_id = 'eurostat_sbs_r_nuts06_r2' AND flag LIKE '%c%'""",
    )
    assert n_conf > 10_000 and n_nonnull == 0


def test_manufacturing_2022(con):
    # sbs_r_nuts2021_EMP_LOC_NR_2022_manufacturing.csv: DE11,Stuttgart,C29,2022,152899
    assert one(
        con,
        """SELECT persons FROM employment WHERE source_id = 'eurostat_sbs_r_nuts2021_manuf'
           AND region_code = 'DE11' AND nace = 'C29' AND year = 2022""",
    ) == [152899.0]


def test_lfs(con):
    # lfst_r_lfe2en2.tsv.gz: THS,A,Y_GE15,AT 2008 = "209.8 b", 2015 = 188.0
    rows = db.run_sql(
        con,
        """SELECT year, thousands, flag FROM lfs_employment
           WHERE region_code = 'AT' AND nace = 'A' AND year IN (2008, 2015) ORDER BY 1""",
    )
    assert plain(rows) == [[2008, 209.8, "b"], [2015, 188.0, None]]


def test_recent_eurostat_indicators(con):
    # eurostat_tgs00010: AT11 2013 = 4.3; tgs00109: AT11 2014 = 25.7 with flag b (break in series).
    assert one(
        con,
        """SELECT value FROM indicators
           WHERE indicator_id = 'eurostat.unemployment_rate' AND region_code = 'AT11' AND year = 2013""",
    ) == [4.3]
    assert one(
        con,
        """SELECT value, flag FROM indicators
           WHERE indicator_id = 'eurostat.tertiary_25_64' AND region_code = 'AT11' AND year = 2014""",
    ) == [25.7, "b"]
    # NUTS 2024 codes stay NUTS 2024 (NL35 Utrecht); superseded NL31 stays NUTS 2021.
    versions = dict(
        db.run_sql(
            con,
            """SELECT region_code, any_value(nuts_version) FROM indicators
               WHERE indicator_id = 'eurostat.unemployment_rate' AND region_code IN ('NL31', 'NL35') GROUP BY 1""",
        ).values.tolist()
    )
    assert versions == {"NL31": "2021", "NL35": "2024"}


def test_scoreboards(con):
    # RIS 2023: DE21 "1.1.2 Population with tertiary education (Regional)" = 121.94 in every year.
    vals = db.run_sql(
        con, "SELECT DISTINCT value FROM indicators WHERE indicator_id = 'ris.1.1.2' AND region_code = 'DE21'"
    )
    assert vals.value.tolist() == [121.94]
    # EU aggregate: RII 2016 = 100.0 (RIS), SII 2023 = 108.467 (EIS, "EU Average").
    assert one(
        con,
        "SELECT value FROM indicators WHERE indicator_id='ris.0' AND region_code='EU27_2020' AND year=2016",
    ) == [100.0]
    assert one(
        con,
        "SELECT value FROM indicators WHERE indicator_id='eis.0' AND region_code='EU27_2020' AND year=2023",
    ) == [108.467]


def test_rci_capital_area_is_a_unit(con):
    # rci2022_raw_data_wide.csv: AT_C "Higher educational attainment" = 39.6535131386681
    row = one(
        con,
        """SELECT value, nuts_version, placement FROM indicators
           WHERE indicator_id = 'rci.higher_educational_attainment' AND region_code = 'AT_C'""",
    )
    assert row[0] == pytest.approx(39.6535131386681) and row[1:] == ["RCI2022", "unit"]
    assert one(con, "SELECT members FROM regions WHERE code = 'BE_C'") == ["BE10+BE24+BE31"]


def test_escp_tables(con):
    assert one(con, "SELECT count(*) FROM escp_members") == [366]
    assert one(con, "SELECT count(*) FROM escp_partnerships") == [81]
    assert one(con, "SELECT count(*) FROM escp_programmes") == [15 + 22]
    # completeness is kept as recorded: 221 full / 115 partial / 4 coordinator only / 26 partnership-level
    got = dict(db.run_sql(con, "SELECT completeness, count(*) FROM escp_members GROUP BY 1").values.tolist())
    assert got == {
        "full list on page": 221,
        "partial": 115,
        "coordinator only": 4,
        "partnership-level fact only": 26,
    }


def test_build_report_counts_unknown_codes(con):
    report = db.query(con, "build_report")
    sbs = report[report.source_id == "eurostat_sbs_r_nuts06_r2"].set_index("item")
    assert "FR2" in sbs.loc["rows unplaced: code not found in NUTS 2021/2024 nor in the crosswalk", "detail"]
    assert sbs.loc["rows read", "count"] == 916_318  # = rows of the published long extract (SOURCES.md)
    # Every crosswalk target is a region of the real boundaries (on a partial geography rows would be skipped).
    assert not report["item"].str.startswith("crosswalk rows whose NUTS 2021 target").any()
    sources = db.query(con, "sources")
    loaded = sources[sources.status == "loaded"]
    assert (loaded.sha256.str.len() == 64).all() and len(loaded) >= 22
    # What the shared sources folder lacks is recorded with the command that brings it, never silently dropped.
    absent = sources[sources.status != "loaded"].set_index("source_id")
    assert {"eurostat_sbs_r_nuts2021", "ris2025"} <= set(absent.index)
    assert absent.loc["ris2025", "remedy"].startswith("run `make fetch`")
    assert absent.loc["eurostat_sbs_r_nuts2021", "status"] == "missing"
    assert sources.set_index("source_id").loc["eurostat_sbs_r_nuts2021_manuf", "status"] == "loaded"


def test_catalog_covers_every_indicator_with_coverage(con):
    n_cat, n_used, n_cov = one(
        con,
        """SELECT (SELECT count(*) FROM indicator_catalog),
                  (SELECT count(DISTINCT indicator_id) FROM indicators),
                  (SELECT count(*) FROM indicator_catalog WHERE max_year IS NOT NULL)""",
    )
    assert n_cat == n_used and n_cov >= n_cat - 1
