"""The region dashboard's numbers (mapping/region.py) and figures (mapping/region_charts.py) on frames written here,
and the static table's text; the ranks within a country on a tiny DB whose ranks are worked out by hand."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import pytest

from mapping import db, region_charts
from mapping import region as rg
from mapping.ui import tables
from mapping.ui.tables import Col

LOOKUP = pd.DataFrame(
    {
        "code": ["DE11", "DE11", "PL12", "PL91", "PL92", "DE1", "DE111"],
        "nuts_version": ["2021", "2024", "2013", "2021", "2021", "2024", "2024"],
        "level": [2, 2, 2, 2, 2, 1, 3],
        "country": ["DE", "DE", "PL", "PL", "PL", "DE", "DE"],
        "name": ["Stuttgart", "Stuttgart", "PL12 (NUTS 2013; split)", "Warszawski", "Mazowiecki", "BW", "Stuttgart K"],
        "is_unit": [False, False, True, False, False, False, False],
        "members": [None, None, "PL91+PL92", None, None, None, None],
    }
)


class FakeQuery:
    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames, self.calls = frames, []

    def __call__(self, name: str, **params):
        self.calls.append((name, params))
        return self.frames[name].copy()


def test_a_place_is_the_latest_version_and_units_are_not_regions():
    place = rg.place_of(LOOKUP, "DE11")
    assert place is not None and place.nuts_version == "2024" and place.key == "DE11|2024"
    assert place.title == "Stuttgart (DE11)"
    assert rg.place_of(LOOKUP, "PL12") is None and rg.place_of(LOOKUP, "XX99") is None
    assert list(rg.region_options(LOOKUP)) == ["DE1", "DE11", "DE111", "PL91", "PL92"]


def test_a_unit_of_older_data_opens_its_first_member():
    assert rg.unit_member(LOOKUP, "PL12") == ("PL91", "PL12 (NUTS 2013; split)")
    assert rg.unit_member(LOOKUP, "DE11") is None and rg.unit_member(LOOKUP, "") is None


def test_key_figures_take_the_first_indicator_with_a_value_and_say_what_is_missing():
    found = pd.DataFrame(
        {
            "indicator_id": ["rci.population", "eurostat.gdp_pps_hab_eu", "ris.0"],
            "label": ["Population", "GDP", "RII"],
            "unit": ["inhabitants", "% of EU27 average", "score"],
            "year": [2020, 2023, 2023],
            "value": [4_152_668.0, 145.0, 137.14],
            "flag": [None, None, None],
            "rank": [20, 21, 26],
            "n": [234, 276, 193],
            "rank_eu": [20, 21, 25],
            "n_eu": [234, 270, 170],
            "rank_country": [5, 4, 6],
            "n_country": [37, 38, 29],
            "source_id": ["rci2022", "eurostat_gdp_pps_rel_eu", "ris2023"],
            "higher_is_better": [True, True, True],
        }
    )
    query = FakeQuery({"region_key_figures": found})
    figures = rg.key_figures(query, "DE11")
    assert figures["figure"].tolist() == [f for f, _ in rg.HEADLINE]
    by = figures.set_index("figure")
    assert by.at["Population", "indicator_id"] == "rci.population"  # eurostat.population is not in this build
    assert by.at["Regional Innovation Index", "indicator_id"] == "ris.0"  # ris2025.0 absent: the 2023 edition
    assert np.isnan(by.at["Employment rate", "value"]) and by.at["Employment rate", "indicator_id"] == (
        "eurostat.employment_rate"
    )
    (name, params), *_ = query.calls
    assert name == "region_key_figures" and params["indicators"][:2] == ["eurostat.population", "rci.population"]
    assert rg.missing(figures, **{"Cluster portfolio": False, "Trends": True}) == [
        "Employment rate: no value published for this region or a region containing it.",
        "R&D expenditure (% of GDP): no value published for this region or a region containing it.",
        "Cluster portfolio: not available for this region.",
    ]
    nothing = rg.key_figures(FakeQuery({"region_key_figures": found.iloc[:0]}), "BA01")
    assert nothing["value"].isna().all() and list(nothing.columns) == rg.KEY_COLUMNS


def test_the_base_of_growth_is_the_earliest_year_of_the_same_table():
    years = pd.DataFrame(
        {
            "year": [2015, 2014, 2013, 2009, 2008],
            "regions": [100, 270, 270, 240, 240],
            "source_ids": ["a", "a", "a", "b", "b"],
        }
    )
    setting = rg.cluster_setting(years)
    assert setting is not None and (setting.year, setting.base_year) == (2014, 2013)  # 2015 is thin; 2008 is table b
    assert setting.link() == {"set": "division", "year": "2014", "base": "2013", "method": "observatory"}
    assert rg.cluster_setting(years.iloc[:0]) is None


def test_the_portfolio_brief_lists_starred_sectors_most_stars_first():
    port = pd.DataFrame(
        {
            "nace": ["A", "B", "C", "D"],
            "label": ["a", "b", "c", "d"],
            "persons": [10, 500, 300, np.nan],
            "lq": [2.0, 1.1, 3.0, np.nan],
            "stars": [1, 1, 3, np.nan],
            "growth": [0.01, np.nan, 0.02, np.nan],
            "series_break": [None, "b flag", None, None],
        }
    )
    brief = rg.portfolio_brief(port, n=2)
    assert brief["nace"].tolist() == ["C", "B"] and brief.loc[1, "series_break"] == "b flag"


@pytest.fixture
def tiny_db(tmp_path):
    """Four NUTS 2 regions in two member states, one in Norway, one NUTS 1 region and a statistical unit of an older
    table, one indicator (higher is better), 2023: DE11 30, DE12 50, FR10 40, FR20 10, NO01 60; DE1 99 (another
    level) and the unit XU 1000 are not ranked with them. 2024 has DE11 alone (thin: the 2023 ranks stand)."""
    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE regions (code VARCHAR, nuts_version VARCHAR, level INT, country VARCHAR, is_unit BOOL)")
    con.execute(
        "INSERT INTO regions VALUES ('DE11','2024',2,'DE',false),('DE12','2024',2,'DE',false),"
        "('FR10','2024',2,'FR',false),('FR20','2024',2,'FR',false),('DE1','2024',1,'DE',false),"
        "('NO01','2024',2,'NO',false),('XU','2013',2,'DE',true)"
    )
    con.execute(
        "CREATE TABLE indicators (indicator_id VARCHAR, region_code VARCHAR, nuts_version VARCHAR, year INT, "
        "value DOUBLE, flag VARCHAR)"
    )
    con.execute(
        "INSERT INTO indicators VALUES ('x','DE11','2024',2023,30,NULL),('x','DE12','2024',2023,50,NULL),"
        "('x','FR10','2024',2023,40,NULL),('x','FR20','2024',2023,10,NULL),('x','DE1','2024',2023,99,NULL),"
        "('x','DE11','2024',2022,90,NULL),('x','NO01','2024',2023,60,NULL),('x','XU','2013',2023,1000,NULL),"
        "('x','DE11','2024',2024,1,NULL)"
    )
    con.execute(
        "CREATE TABLE indicator_catalog (indicator_id VARCHAR, label VARCHAR, unit VARCHAR, source_id VARCHAR, "
        "higher_is_better BOOLEAN)"
    )
    con.execute("INSERT INTO indicator_catalog VALUES ('x','X','u','s',true)")
    con.close()
    return path


def test_ranks_in_the_eu_and_in_the_country_by_hand(tiny_db):
    con = duckdb.connect(str(tiny_db), read_only=True)
    eu = ["DE", "FR"]
    row = db.query(con, "region_key_figures", region="DE11", indicators=["x"], eu=eu).iloc[0]
    # 2023 (2024 has one region of six: too thin to rank in): NO01 60 > DE12 50 > FR10 40 > DE11 30 > FR20 10
    # (the unit XU is no region): fourth of five regions, third of the four in the EU, second of two in Germany.
    got = [row[c] for c in ("year", "rank", "n", "rank_eu", "n_eu", "rank_country", "n_country")]
    assert got == [2023, 4, 5, 3, 4, 2, 2]
    outside = db.query(con, "region_key_figures", region="NO01", indicators=["x"], eu=eu).iloc[0]
    assert (outside["rank"], outside["n"]) == (1, 5) and pd.isna(outside["rank_eu"]) and pd.isna(outside["n_eu"])


def test_trends_of_a_region_by_hand(tiny_db):
    con = duckdb.connect(str(tiny_db), read_only=True)
    both = db.query(con, "region_trends", region="DE11", indicators=["x"])
    # 2023 in Germany: DE11 30 and DE12 50 (the unit XU, 1000, is left out of the medians): 40.
    assert both["region_value"].tolist() == [90, 30, 1] and both["country_median"].tolist()[1] == 40


def _square(x: float, y: float) -> dict:
    ring = np.array([[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]], dtype=float)
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_locator_is_svg_with_the_region_on_top():
    fig = region_charts.locator(
        region=_square(0, 50),
        country_regions=[_square(1, 50), _square(2, 50)],
        neighbours=[_square(3, 50), _square(40, 10)],  # the second is far outside the view: not drawn
        bbox=(0, 50, 3, 51),
        name="R (R1)",
        country="XX",
    )
    assert [t.type for t in fig.data] == ["scatter"] * 3  # no WebGL map: it prints and exports without a GPU
    assert [t.name for t in fig.data] == ["Other countries", "Other regions of XX", "R (R1)"]
    assert sum(v is None for v in fig.data[0].x) == 1 and sum(v is None for v in fig.data[1].x) == 2
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == pytest.approx(
        1 / np.cos(np.radians(50.5))
    )


def test_the_distribution_marks_the_region_and_its_country():
    frame = pd.DataFrame(
        {"code": ["A1", "A2", "B1", "B2"], "name": list("abcd"), "country": ["A", "A", "B", "B"], "value": [1, 2, 3, 5]}
    )
    fig = region_charts.distribution_strips([("One, 2023", "u", frame), ("Two", "v", frame)], region="A1", country="A")
    names = [t.name for t in fig.data]
    assert names == ["Other regions", "Regions of A", "A1"] * 2
    mine = fig.data[2]
    assert list(mine.x) == [1] and mine.text == ("1",) and fig.data[5].xaxis == "x2"
    assert [s.x0 for s in fig.layout.shapes] == [2.5, 2.5]  # the medians
    assert [a.text for a in fig.layout.annotations] == ["One, 2023", "Two"]


def test_a_static_table_shows_text_as_people_read_it():
    frame = pd.DataFrame({"n": [1234.5, np.nan], "g": [0.0123, -0.00001], "b": [True, None], "t": ["<b>x</b>", None]})
    cols = {"t": Col("Text"), "n": Col("Persons", decimals=0), "g": Col("Growth", decimals=1, percent=True),
            "b": Col("Flag")}  # fmt: skip
    out = tables.text_frame(frame, cols)
    assert list(out.columns) == ["Text", "Persons", "Growth", "Flag"]
    assert out.values.tolist() == [["<b>x</b>", "1,234", "1.2%", "yes"], ["–", "–", "0.0%", "–"]]


def test_the_overall_score_is_ranked_in_all_the_eu_and_the_country():
    board = SimpleNamespace(
        overall=pd.Series({"DE11": 0.6, "DE12": 0.7, "FR10": 0.65, "NO01": 0.9, "FR20": np.nan}),
        universe=pd.DataFrame(
            {"code": ["DE11", "DE12", "FR10", "NO01", "FR20"], "country": ["DE", "DE", "FR", "NO", "FR"]}
        ),
    )
    place = rg.Place("DE11", "Stuttgart", 2, "DE", "2024")
    row = rg.overall_score(board, place)
    got = [row[c] for c in ("rank", "n", "rank_eu", "n_eu", "rank_country", "n_country")]
    assert got == [4, 4, 3, 3, 2, 2]  # NO01 > DE12 > FR10 > DE11; FR20 has no score
    norway = rg.overall_score(board, rg.Place("NO01", "Oslo", 2, "NO", "2024"))
    assert norway["rank"] == 1 and norway["rank_eu"] is None and norway["n_eu"] is None
    assert rg.overall_score(board, rg.Place("FR20", "x", 2, "FR", "2024")) is None
    assert rg.overall_score(board, rg.Place("XX99", "x", 2, "XX", "2024")) is None


def test_a_figure_published_only_for_a_containing_region_is_shown_unranked():
    """The RIS publishes France at NUTS 1: FRY1 takes FRY's index, named and without ranks; nothing else found."""
    own = pd.DataFrame(
        {"indicator_id": ["eurostat.gdp_pps_hab_eu"], "label": ["GDP"], "unit": ["%"], "year": [2023],
         "value": [66.0], "flag": [None], "rank": [202], "n": [276], "rank_eu": [194], "n_eu": [244],
         "rank_country": [24], "n_country": [27], "source_id": ["gdp"], "higher_is_better": [True]}
    )  # fmt: skip
    parent = own.assign(indicator_id="ris.0", value=69.89, source_id="ris2023", rank=40, n=47)
    calls = []

    def query(name, *, region, indicators, eu):
        calls.append(region)
        return {"FRY1": own, "FRY": parent}.get(region, own.iloc[:0])

    figures = rg.key_figures(query, "FRY1").set_index("figure")
    assert calls == ["FRY1", "FRY", "FR"]  # the nearest containing region first, down to the country
    rii = figures.loc["Regional Innovation Index"]
    assert rii["held_by"] == "FRY" and rii["value"] == 69.89 and pd.isna(rii["rank_eu"]) and pd.isna(rii["rank"])
    assert pd.isna(figures.loc["GDP per head (PPS, EU27 = 100)", "held_by"])
    assert str(figures["year"].dtype) == "Int64"  # a year prints as 2023, not 2023.0
    said = rg.missing(figures.reset_index())
    assert "Regional Innovation Index: published for FRY, which contains this region; shown without rank." in said
    assert "Population: no value published for this region or a region containing it." in said
    assert list(rg.drawn(figures.reset_index())["figure"]) == ["GDP per head (PPS, EU27 = 100)"]  # not FRY's
    assert rg.parents("DE111") == ["DE11", "DE1", "DE"] and rg.parents("DE1") == ["DE"]


def test_the_unit_that_holds_a_region():
    assert rg.units_containing(LOOKUP, "PL91") == [("PL12", "PL12 (NUTS 2013; split)")]
    assert rg.units_containing(LOOKUP, "DE11") == []


def test_static_tables_escape_what_the_data_say():
    frame = pd.DataFrame({"organisation": ["[Click](https://evil.example) ![x](https://evil.example/i.png)"]})
    shown = tables.escaped(tables.text_frame(frame, {"organisation": Col("Organisation")}))
    text = shown.iloc[0, 0]
    assert ("\\[Click\\]" in text and "\\!\\[x\\]" in text) or "!\\[x\\]" in text
    assert "](https" not in text  # no Markdown link or image survives
