"""Portfolio growth is drawn only where the two years are comparable (mapping/sql/cluster_portfolio.sql decides,
charts.portfolio_bubbles draws). A hand-made region R1, years 2012-2014 from sbs_r_nuts06_r2 and 2021 from
sbs_r_nuts2021; R2 is a second region for the denominators:

    nace  2012        2013          2014   2021 (other table)  growth 2012-2014
    C10   100         110 flag b    121    130                 break: Eurostat flag b in 2013
    C20   200         210           242    250                 (242/200)^(1/2) - 1 = 10 %
    C21   1000        5000          5200   -                   break: jump x5 from 2012 to 2013
    C22   c (conf.)   300           330    -                   unknown: confidential in 2012
    C23   400 (OLD1)  410 (R1)      420    -                   break: change of territorial unit OLD1 -> R1
    C24   50          400           420    -                   growth: x8 but a cell under 500 persons

and 2014 -> 2021: every sector with a value in both years is a change of table.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from mapping import charts, clusters, db
from mapping.ingest.derived import build_derived

OLD, NEW = "eurostat_sbs_r_nuts06_r2", "eurostat_sbs_r_nuts2021"
R1 = {
    # nace: [(year, persons, flag, source_code)]
    "C10": [(2012, 100, None, "R1"), (2013, 110, "b", "R1"), (2014, 121, None, "R1"), (2021, 130, None, "R1")],
    "C20": [(2012, 200, None, "R1"), (2013, 210, None, "R1"), (2014, 242, None, "R1"), (2021, 250, None, "R1")],
    "C21": [(2012, 1000, None, "R1"), (2013, 5000, None, "R1"), (2014, 5200, None, "R1")],
    "C22": [(2012, None, "c", "R1"), (2013, 300, None, "R1"), (2014, 330, None, "R1")],
    "C23": [(2012, 400, None, "OLD1"), (2013, 410, None, "R1"), (2014, 420, None, "R1")],
    "C24": [(2012, 50, None, "R1"), (2013, 400, None, "R1"), (2014, 420, None, "R1")],
}


def _db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE regions (code VARCHAR, nuts_version VARCHAR, level INTEGER, country VARCHAR)")
    con.execute("CREATE TABLE nace (code VARCHAR, level VARCHAR, parent VARCHAR, label VARCHAR)")
    con.execute(
        """CREATE TABLE employment (region_code VARCHAR, nuts_version VARCHAR, nace VARCHAR, year INTEGER,
           persons DOUBLE, local_units DOUBLE, wages_meur DOUBLE, flag VARCHAR, local_units_flag VARCHAR,
           wages_flag VARCHAR, source_id VARCHAR, source_code VARCHAR, placement VARCHAR, nuts_note VARCHAR)"""
    )
    con.executemany("INSERT INTO regions VALUES (?, '2021', 2, 'XX')", [["R1"], ["R2"]])
    con.executemany("INSERT INTO nace VALUES (?, 'division', 'C', ?)", [[n, f"sector {n}"] for n in R1])
    rows = []
    for nace, cells in R1.items():
        for year, persons, flag, code in cells:
            src = NEW if year >= 2021 else OLD
            rows.append(["R1", nace, year, persons, flag, src, code])
            rows.append(["R2", nace, year, 1000.0, None, src, "R2"])
    con.executemany(
        "INSERT INTO employment VALUES (?, '2021', ?, ?, ?, 10, 1.0, ?, NULL, NULL, ?, ?, 'nuts', NULL)", rows
    )
    build_derived(con)
    return con


def portfolio(con, *, year: int, base_year: int) -> pd.DataFrame:
    sql = db.sql_text("cluster_portfolio")
    params = dict(
        sector_set="division",
        region="R1",
        year=year,
        base_year=base_year,
        method="observatory",
        **clusters.DEFAULTS.params(),
    )
    return con.execute(sql, params).df().set_index("nace")


@pytest.fixture(scope="module")
def con():
    c = _db()
    yield c
    c.close()


def test_growth_only_where_the_years_are_comparable(con):
    port = portfolio(con, year=2014, base_year=2012)
    assert port.loc["C20", "growth_status"] == "growth"
    assert port.loc["C20", "growth"] == pytest.approx((242 / 200) ** 0.5 - 1)
    assert port.loc["C24", "growth_status"] == "growth"  # a jump of a small cell is not judged
    assert port.loc["C10", "growth_status"] == "break" and pd.isna(port.loc["C10", "growth"])
    assert port.loc["C10", "series_break"] == "Eurostat break in series (flag b) in 2013"
    assert port.loc["C21", "growth_status"] == "break" and pd.isna(port.loc["C21", "growth"])
    assert port.loc["C21", "series_break"] == "implausible jump x5.0 from 2012 to 2013 (1000 -> 5000)"
    assert port.loc["C23", "series_break"] == "change of territorial unit: OLD1 (2012) -> R1 (2013)"
    assert port.loc["C22", "growth_status"] == "unknown" and port.loc["C22", "growth_note"] == "confidential in 2012"
    assert pd.isna(port.loc["C22", "series_break"])


def test_a_change_of_table_is_a_break(con):
    port = portfolio(con, year=2021, base_year=2014)
    assert port.loc["C20", "growth_status"] == "break" and pd.isna(port.loc["C20", "growth"])
    assert port.loc["C20", "series_break"] == f"change of table: {OLD} (2014) -> {NEW} (2021)"
    # a break flag before the base year does not matter
    assert "flag b" not in port.loc["C10", "series_break"]
    assert set(port.index) == {"C10", "C20"}  # the sectors published in 2021


def _drawn(fig, nace: str):
    """(y value, subplot y-axis, hover text) of the sector's point."""
    for trace in fig.data:
        if nace in list(trace.text):
            i = list(trace.text).index(nace)
            return trace.y[i], trace.yaxis or "y", trace.customdata[i][2]
    raise AssertionError(f"{nace} not drawn")


def test_the_chart_draws_breaks_and_unknowns_off_the_growth_axis(con):
    port = portfolio(con, year=2014, base_year=2012).reset_index()
    port["stars"] = 2  # every sector labelled
    fig = charts.portfolio_bubbles(port, base_year=2012, year=2014)
    y, axis, why = _drawn(fig, "C20")
    assert axis == "y" and y == pytest.approx(10.0) and why == "+10.0% a year"
    for nace, row in (("C10", "break in series"), ("C21", "break in series"), ("C22", "growth unknown")):
        y, axis, why = _drawn(fig, nace)
        assert axis == "y2" and y == row, nace  # the strip below the growth axis, not a growth value
    assert _drawn(fig, "C21")[2] == "not comparable: implausible jump x5.0 from 2012 to 2013 (1000 -> 5000)"
    assert _drawn(fig, "C22")[2] == "unknown: confidential in 2012"
    growth_axis = [v for t in fig.data if (t.yaxis or "y") == "y" for v in t.y if v is not None]  # None: legend only
    assert all(isinstance(v, float | int | np.floating) for v in growth_axis)
    assert fig.layout.yaxis2.title.text.replace("<br>", " ") == "growth not comparable / unknown"


@pytest.mark.integration
def test_stuttgart_f43_is_not_drawn_as_growth(real_db):
    """Issue 12: DE11 F43 2008 -> 2014 (5,627 -> 76,512 persons, 'i' flag in 2008) and J63 (19,535 -> 1,745)."""
    con = db.connect(real_db)
    port = db.query(
        con,
        "cluster_portfolio",
        sector_set="division",
        region="DE11",
        year=2014,
        base_year=2008,
        method="observatory",
        **clusters.DEFAULTS.params(),
    )
    fig = charts.portfolio_bubbles(port.assign(stars=3), base_year=2008, year=2014)
    for nace in ("F43", "J63"):
        row = port.set_index("nace").loc[nace]
        assert row["growth_status"] == "break" and pd.isna(row["growth"]), nace
        assert row["series_break"].startswith("implausible jump"), row["series_break"]
        assert _drawn(fig, nace)[:2] == ("break in series", "y2")
    drawn = port[port["growth_status"] == "growth"]["growth"]
    assert drawn.abs().max() < 0.3  # no +54 % / -33 % a year left on the growth axis
