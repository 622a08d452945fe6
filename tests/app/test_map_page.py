"""The map page in AppTest: every control, the URL round trip, bad parameters, presentation mode."""

from __future__ import annotations

import base64
import functools
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import view

pytestmark = pytest.mark.integration


@pytest.fixture
def open_app(app_test):
    return functools.partial(app_test, timeout=90)


def spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no plotly chart on the page"
    return json.loads(charts[0].proto.spec)


def value_trace(fig: dict) -> dict:
    return next(t for t in fig["data"] if t.get("name") != "No data" and t.get("legendgroup") != "selected")


def params(at: AppTest) -> dict[str, str]:
    return view(at)


def test_default_view_writes_its_state_to_the_url(open_app):
    at = open_app()
    p = params(at)
    assert p["indicator"] == "eurostat.gdp_pps_hab_eu"
    assert p["level"] == "2" and p["year"] == "2023" and p["view"] == "choropleth" and p["palette"] == "cividis"
    fig = spec(at)
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert "http" not in json.dumps(fig)  # no tile server, no CDN: the base layer is our own outlines
    trace = value_trace(fig)
    assert len(trace["locations"]) > 250 and all(k.endswith(("|2024", "|2021")) for k in trace["locations"])
    assert any(t.get("name") == "No data" for t in fig["data"])


def test_indicator_change_updates_url_and_keeps_a_valid_year(open_app):
    at = open_app()
    at.selectbox(key="w_indicator").set_value("eurostat.unemployment_rate").run()
    assert not at.exception
    assert view(at)["indicator"] == "eurostat.unemployment_rate"
    assert view(at)["year"] == "2023"  # still published for the new indicator: kept
    assert value_trace(spec(at))["reversescale"] is True  # lower unemployment is better
    at.selectbox(key="w_year").set_value(2024).run()
    at.selectbox(key="w_indicator").set_value("eurostat.gdp_pps_hab_eu").run()
    assert view(at)["year"] == "2023"  # GDP has no 2024: falls back to its latest year


def test_source_group_switches_indicator_list(open_app):
    at = open_app()
    at.selectbox(key="w_source_group").set_value("Regional Innovation Scoreboard 2023").run()
    assert view(at)["indicator"].startswith("ris.")
    options = at.selectbox(key="w_indicator").options
    assert options and all("·" in o for o in options)


def test_level_control(open_app):
    at = open_app(indicator="ris.0")
    assert at.selectbox(key="w_level").options == ["Countries (NUTS 0)", "NUTS 1", "NUTS 2"]
    at.selectbox(key="w_level").set_value(1).run()
    assert view(at)["level"] == "1"
    codes = [k.split("|")[0] for k in value_trace(spec(at))["locations"]]
    assert codes and all(len(c) == 3 for c in codes)


def test_year_control(open_app):
    at = open_app(indicator="eurostat.unemployment_rate")
    years = at.selectbox(key="w_year").options
    assert years[0].startswith("Latest per region") and years[1].startswith("2024") and years[-1].startswith("2013")
    at.selectbox(key="w_year").set_value(2016).run()
    assert view(at)["year"] == "2016"
    assert "2016" in at.markdown[1].value or any("2016" in m.value for m in at.markdown)


def test_country_filter_zooms_in(open_app):
    europe = spec(open_app())["layout"]["map"]
    at = open_app(country="PL")
    fig = spec(at)
    codes = [k.split("|")[0] for k in value_trace(fig)["locations"]]
    assert codes and all(c.startswith("PL") for c in codes)
    view = fig["layout"]["map"]
    assert view["zoom"] > europe["zoom"] + 1
    assert 14 < view["center"]["lon"] < 24.5 and 49 < view["center"]["lat"] < 55


def test_columns_view_is_a_deck_without_map_provider(open_app):
    at = open_app(view="columns")
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    deck = json.loads(decks[0].proto.json)
    assert [layer["@@type"] for layer in deck["layers"]] == ["GeoJsonLayer", "ColumnLayer"]
    assert "mapbox" not in decks[0].proto.json and "carto" not in decks[0].proto.json.lower()


def test_palette_control_diverging(open_app):
    at = open_app(indicator="eurostat.gdp_pps_hab_eu", palette="puor")
    trace = value_trace(spec(at))
    assert trace["colorscale"][0][1] != trace["colorscale"][-1][1]
    assert trace["zmid"] == pytest.approx(100.0)  # EU27 aggregate published by Eurostat = 100


def test_region_panel_and_links_carry_region(open_app):
    at = open_app(region="DE21")
    assert at.selectbox(key="w_region").value == "DE21"
    assert any("Oberbayern" in m.value for m in at.markdown)
    assert at.metric and at.metric[0].label.startswith("This map")
    fig = spec(at)
    selected = next(t for t in fig["data"] if t.get("legendgroup") == "selected")
    assert (
        selected["locations"] == ["DE21|2024"]
        and selected["name"].startswith("Selected: ")
        and "(DE21)" in selected["name"]
    )
    for link in at.get("page_link"):
        assert "region=DE21" in link.proto.query_string


def test_region_of_another_level_opens_that_level(open_app):
    at = open_app(indicator="ris.0", region="DE2")
    assert view(at)["level"] == "1"


def test_bad_parameters_fall_back_with_notices(open_app):
    at = open_app(indicator="bogus", year="abc", level="9", country="XX", region="<script>", view="3d", palette="x")
    notices = " ".join(i.value for i in at.info)
    for name in ("indicator", "year", "level", "country", "region", "view", "palette"):
        assert f"asked for {name}" in notices
    assert view(at)["indicator"] == "eurostat.gdp_pps_hab_eu" and view(at)["year"] == "2023"
    assert "region" not in at.query_params


def test_url_round_trip_restores_the_view(open_app):
    at = open_app()
    at.selectbox(key="w_source_group").set_value("Regional Competitiveness Index 2022").run()
    at.selectbox(key="w_country").set_value("ES").run()
    at.selectbox(key="w_palette").set_value("viridis").run()
    first = params(at)
    again = open_app(**first)
    assert params(again) == first
    for key in ("w_source_group", "w_indicator", "w_level", "w_year", "w_country", "w_palette"):
        assert again.selectbox(key=key).value == at.selectbox(key=key).value
    assert value_trace(spec(again))["locations"] == value_trace(spec(at))["locations"]


def test_presentation_mode_hides_controls(open_app):
    at = open_app(present="1", indicator="eurostat.tertiary_25_64")
    assert len(at.selectbox) == 0 and len(at.button) == 0
    layout = spec(at)["layout"]
    assert "height" not in layout and layout["autosize"] is True  # the chart takes the height the screen leaves


def test_sources_page_lists_every_source(open_app):
    at = open_app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 31 and "eurostat_sbs_r_nuts06_r2" in set(table["source_id"])


def test_cluster_overlay_layer(open_app):
    at = open_app(overlay="C29")
    assert view(at)["overlay"] == "C29"
    layer = next(t for t in spec(at)["data"] if t.get("name") == "C29 clusters (stars)")
    lons = layer["lon"]
    n = len(base64.b64decode(lons["bdata"])) // 8 if isinstance(lons, dict) else len(lons)  # plotly 7 packs arrays
    assert layer["type"] == "scattermap" and n > 20
    assert any("Overlay: C29 clusters" in c.value for c in at.caption)


def test_map_page_opens_rd_on_a_well_covered_year_and_maps_latest_per_region(open_app):
    at = open_app(indicator="eurostat.gerd_pc_gdp", level="2")
    assert "regions" in at.selectbox(key="w_year").format_func(int(view(at)["year"]))  # years carry their coverage
    on_default = len(value_trace(spec(at))["locations"])
    assert on_default > 200  # not the handful of regions of the newest year
    at = open_app(indicator="eurostat.gerd_pc_gdp", level="2", year="latest")
    assert len(value_trace(spec(at))["locations"]) >= on_default
    texts = [e.value for e in (*at.markdown, *at.caption, *at.subheader)]
    assert any("latest available year per region" in t for t in texts), texts[:5]
