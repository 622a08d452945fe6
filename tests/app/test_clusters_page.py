"""The cluster page in AppTest: controls, URL round trip, the four views."""

from __future__ import annotations

import base64
import functools
import json

import numpy as np
import pytest

from tests.conftest import view

pytestmark = pytest.mark.integration


@pytest.fixture
def open_page(app_test):
    return functools.partial(app_test, "pages/clusters.py")


def params(at):
    return view(at)


def test_defaults_show_c29_in_2014_with_stuttgart_near_the_top(open_page):
    at = open_page()
    p = params(at)
    assert (p["set"], p["method"], p["year"], p["tab"], p["sector"]) == (
        "division",
        "observatory",
        "2014",
        "sector",
        "C29",
    )
    order = json.loads(at.get("plotly_chart")[1].proto.spec)["layout"]["yaxis"]["categoryarray"]
    assert len(order) == 20 and any("(DE11)" in label for label in order[-6:])  # drawn bottom-up: top 6 by LQ


def test_each_control_writes_the_url(open_page):
    at = open_page()
    at.selectbox(key="w_set").set_value("section").run()
    assert view(at)["set"] == "section" and view(at)["sector"] == "C"
    at.selectbox(key="w_method").set_value("cmp").run()
    at.selectbox(key="w_year").set_value(2012).run()
    at.selectbox(key="w_lq").set_value(1.5).run()
    at.selectbox(key="w_top").set_value(20.0).run()
    at.selectbox(key="w_cmplq").set_value(80.0).run()
    at.selectbox(key="w_cmpsize").set_value(30.0).run()
    assert not at.exception
    assert {k: view(at)[k] for k in ("method", "year", "lq", "top", "cmplq", "cmpsize")} == {
        "method": "cmp",
        "year": "2012",
        "lq": "1.5",
        "top": "20.0",
        "cmplq": "80.0",
        "cmpsize": "30.0",
    }
    again = open_page(**params(at))
    assert params(again) == params(at)


def test_region_portfolio_from_a_link(open_page):
    at = open_page(tab="region", region="DE11")
    assert at.selectbox(key="w_region").value == "DE11"
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert {m.label for m in at.metric} >= {"Sectors with a published value", "Confidential cells"}


def test_a_nuts2021_region_inside_an_old_unit_opens_the_unit(open_page):
    at = open_page(tab="region", region="PL91")
    assert view(at)["region"] == "PL12"
    assert any("part of PL12" in i.value for i in at.info)


def test_sensitivity_lists_the_flips_from_lq_2_to_1_5(open_page):
    at = open_page(tab="sensitivity")
    assert view(at)["move"] == "spec_lq" and view(at)["alt"] == "1.5"
    flips = at.dataframe[-1].value
    assert len(flips) > 100 and (flips["stars_alt"] > flips["stars_base"]).all()  # lowering the bar only adds
    assert ((flips["lq"] >= 1.5) & (flips["lq"] < 2.0)).all()


def test_summary_counts(open_page):
    at = open_page(tab="summary")
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["3 stars"].replace(",", "")) > 100
    # The Commission's count, read from the programme facts with its document.
    assert any("3,043 strong regional clusters" in c.value and "DG GROW" in c.value for c in at.caption)


def test_cmp_is_not_offered_for_the_2022_extract(open_page):
    at = open_page(set="manuf2022", method="cmp")
    assert view(at)["method"] == "observatory"
    assert "cmp" not in at.selectbox(key="w_method").options


def test_bad_parameters_fall_back(open_page):
    at = open_page(set="x", year="1999", sector="Z99", lq="0", tab="nope")
    assert view(at)["set"] == "division" and view(at)["tab"] == "sector"
    assert len(at.info) >= 4


def test_summary_honours_the_country(open_page):
    """Issue 12: the EU summary ignored ``country=``."""
    eu = open_page(tab="summary")
    pl = open_page(tab="summary", country="PL")
    assert pl.selectbox(key="w_country").value == "PL"
    eu_cells = int({m.label: m.value for m in eu.metric}["Cells (region x sector)"].replace(",", ""))
    pl_cells = int({m.label: m.value for m in pl.metric}["Cells (region x sector)"].replace(",", ""))
    assert 0 < pl_cells < eu_cells / 5
    heat = json.loads(pl.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heat["y"] and all(label.startswith("PL") for label in heat["y"])  # the country's regions, not countries


def test_regions_of_a_country_with_their_strong_sectors(open_page):
    at = open_page(tab="summary", country="PL", minstars="2")
    listing = next(d.value for d in at.dataframe if "strong_sectors" in d.value.columns)
    assert len(listing) >= 16 and set(listing["country"]) == {"PL"}
    row = listing.set_index("code").loc["PL22"]  # Śląskie: coal mining among its 3-star sectors
    assert row["three_star"] >= 1 and "B05 Mining of coal and lignite (★★★" in row["strong_sectors"]
    # each listed sector has >= 2 stars, and the count matches the list
    assert all(s.count("(") == n for s, n in zip(listing["strong_sectors"], listing["sectors"], strict=True) if n)
    assert "(★ " not in " ".join(listing["strong_sectors"]) and "(★," not in " ".join(listing["strong_sectors"])
    assert any(b.proto.label == "Strong sectors by region (CSV)" for b in at.get("download_button"))


def test_the_maps_latest_year_is_this_pages_default_without_a_notice(open_page):
    at = open_page(year="latest")  # carried by the sidebar from the map's "Latest per region"
    assert not at.info, [i.value for i in at.info]
    assert view(at)["year"] == "2014" and at.query_params["year"] == "latest"  # kept for the way back
    at.selectbox(key="w_year").set_value(2012).run()
    assert at.query_params["year"] == "2012"


def unpack(values) -> list:
    """A plotly array as a list (plotly 7 packs numeric arrays as {'dtype', 'bdata'})."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_trends_view_draws_employment_with_its_breaks_and_an_indicator(open_page):
    at = open_page(tab="trends", region="DE11", sector="F43", indicator="eurostat.employment_rate")
    assert not at.exception
    p = view(at)
    assert (p["tab"], p["region"], p["sector"], p["indicator"]) == ("trends", "DE11", "F43", "eurostat.employment_rate")
    employment = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = next(t for t in employment["data"] if t["type"] == "bar")
    years = unpack(bars["x"])
    assert years[0] == 2008 and len(years) == 8
    notes = [a["text"] for a in employment["layout"]["annotations"] if a["text"].startswith("break")]
    assert notes == ["break: jump of x3 or more"]  # 2008 -> 2009: 5,627 -> 57,877 persons (flag i in 2008)
    assert any("2009 (jump of x3 or more)" in c.value for c in at.caption)
    lines = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    names = [t["name"] for t in lines]
    assert names[0] == "DE11" and "median of DE's regions" in names and "median of all regions" in names
    assert len(unpack(lines[0]["x"])) == 12  # 2013-2024


def test_a_sector_group_from_the_link_and_from_an_example(open_page):
    at = open_page(group="C22,C24,C25,C27,C28,C29", gname="Automotive", sector="GROUP")
    assert not at.exception
    assert view(at)["sector"] == "GROUP" and view(at)["group"] == "C22,C24,C25,C27,C28,C29"
    titles = [m.value for m in at.markdown if m.value.startswith("####")]
    assert any("Automotive" in t and "C22 \\+ C24" in t for t in titles), titles
    order = json.loads(at.get("plotly_chart")[1].proto.spec)["layout"]["yaxis"]["categoryarray"]
    assert "(DE11)" in order[-1]  # drawn bottom-up: Stuttgart leads the group
    at = open_page()
    at.selectbox(key="group_example").set_value("Digital (this project's approximation)").run()
    at.button(key="group_use").click().run()
    assert not at.exception
    assert view(at)["group"] == "C26,J58,J61,J62,J63" and view(at)["sector"] == "GROUP"
    assert view(at)["gname"] == "Digital"


def test_the_map_source_group_does_not_leak_into_the_sector_group(app_test):
    """Issue 15 (found by the deck test): the map's source-group picker and the clusters page's sector-group box
    shared the session key ``w_group``; after the map, the clusters page showed "Eurostat regional statistics" as a
    sector group, wrote it into the link and then refused it ("not a sector of this data set")."""
    at = app_test()  # the map, which picks a source group
    at.switch_page("pages/clusters.py").run()
    assert not at.exception
    assert view(at).get("group", "") == ""
    assert not [i.value for i in at.info if "Sector group" in i.value]
