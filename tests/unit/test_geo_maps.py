"""Geometry helpers (mapping.geo) and map builders (mapping.maps): no Streamlit, no database, no network."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mapping import geo, maps
from mapping.maps import MapSpec


def square(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    """A closed square ring with its lower-left corner at (x, y)."""
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def polygon_text(x: float, y: float, size: float = 1.0) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [square(x, y, size)]})


# --- mapping.geo ----------------------------------------------------------------------------------


def test_parse_geometries_turns_polygon_rings_into_float_arrays():
    parsed = geo.parse_geometries([("AA1|2021", polygon_text(0, 50))])
    g = parsed["AA1|2021"]
    assert g["type"] == "Polygon"
    assert len(g["coordinates"]) == 1
    ring = g["coordinates"][0]
    assert isinstance(ring, np.ndarray)
    assert ring.dtype == float
    assert ring.shape == (5, 2)
    np.testing.assert_array_equal(ring[2], [1.0, 51.0])


def test_parse_geometries_handles_multipolygons_and_holes():
    text = json.dumps(
        {
            "type": "MultiPolygon",
            "coordinates": [
                [square(0, 0, 4), square(1, 1, 1)],  # outer ring with a hole
                [square(10, 10)],
            ],
        }
    )
    g = geo.parse_geometries([("K", text)])["K"]
    assert g["type"] == "MultiPolygon"
    assert [len(poly) for poly in g["coordinates"]] == [2, 1]
    assert all(isinstance(ring, np.ndarray) for poly in g["coordinates"] for ring in poly)


def test_parse_geometries_keeps_every_key():
    parsed = geo.parse_geometries([("A", polygon_text(0, 0)), ("B", polygon_text(5, 5))])
    assert list(parsed) == ["A", "B"]


def test_parse_geometries_rejects_other_geometry_types():
    with pytest.raises(ValueError, match="Point"):
        geo.parse_geometries([("P", json.dumps({"type": "Point", "coordinates": [1, 2]}))])


def test_feature_collection_uses_keys_as_ids_by_default():
    geoms = geo.parse_geometries([("A", polygon_text(0, 0)), ("B", polygon_text(1, 0))])
    fc = geo.feature_collection(["A", "B"], geoms)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ["A", "B"]
    assert all(f["type"] == "Feature" for f in fc["features"])
    assert fc["features"][0]["geometry"] is geoms["A"]


def test_feature_collection_custom_ids_and_missing_keys_skipped():
    geoms = geo.parse_geometries([("A|2021", polygon_text(0, 0)), ("B|2021", polygon_text(1, 0))])
    fc = geo.feature_collection(["A|2021", "X|2021", "B|2021"], geoms, ids=["A", "X", "B"])
    # X has no geometry: its feature is left out, and the ids stay paired with their keys
    assert [f["id"] for f in fc["features"]] == ["A", "B"]
    assert fc["features"][1]["geometry"] is geoms["B|2021"]


def test_feature_collection_of_nothing_is_empty():
    assert geo.feature_collection([], {}) == {"type": "FeatureCollection", "features": []}


def test_plain_turns_arrays_into_lists_and_is_json_serialisable():
    geoms = geo.parse_geometries([("A", polygon_text(0, 50))])
    fc = geo.feature_collection(["A"], geoms)
    with pytest.raises(TypeError):
        json.dumps(fc)
    out = geo.plain(fc)
    ring = out["features"][0]["geometry"]["coordinates"][0]
    assert isinstance(ring, list)
    assert ring[1] == [1.0, 50.0]
    assert json.loads(json.dumps(out))["features"][0]["id"] == "A"
    # a copy: the input keeps its arrays
    assert isinstance(fc["features"][0]["geometry"]["coordinates"][0], np.ndarray)


def test_plain_turns_tuples_into_lists_and_keeps_scalars():
    assert geo.plain({"a": (1, 2), "b": "x", "c": None, "d": 1.5}) == {"a": [1, 2], "b": "x", "c": None, "d": 1.5}


def test_bbox_of_polygons_and_multipolygons():
    geoms = geo.parse_geometries(
        [
            ("A", polygon_text(0, 50)),
            ("B", json.dumps({"type": "MultiPolygon", "coordinates": [[square(-3, 40)], [square(5, 60, 2)]]})),
        ]
    )
    assert geo.bbox_of([geoms["A"]]) == (0.0, 50.0, 1.0, 51.0)
    assert geo.bbox_of(geoms.values()) == (-3.0, 40.0, 7.0, 62.0)


def test_bbox_of_uses_the_outer_ring_only():
    g = geo.parse_geometries(
        [("H", json.dumps({"type": "Polygon", "coordinates": [square(0, 0, 4), square(1, 1, 1)]}))]
    )["H"]
    assert geo.bbox_of([g]) == (0.0, 0.0, 4.0, 4.0)


def test_bbox_of_nothing_is_none():
    assert geo.bbox_of([]) is None


def test_view_for_bbox_hand_computed():
    # 2 x 2 degrees at the equator, no padding, 512 px square: zoom = log2(512 * 360 / (2 * 512)) = log2(180)
    center, zoom = geo.view_for_bbox((-1.0, -1.0, 1.0, 1.0), width=512, height=512, padding=0.0)
    assert center["lon"] == pytest.approx(0.0)
    assert center["lat"] == pytest.approx(0.0, abs=1e-9)
    assert zoom == pytest.approx(round(math.log2(180), 2), abs=0.011)


def test_view_for_bbox_center_is_in_the_middle():
    center, _ = geo.view_for_bbox((4.0, 40.0, 20.0, 60.0))
    assert center["lon"] == pytest.approx(12.0)
    # Mercator middle: between the edges and north of the plain average (the map stretches to the north)
    assert 50.0 < center["lat"] < 60.0


def test_view_for_bbox_wider_bbox_gives_smaller_zoom():
    _, narrow = geo.view_for_bbox((5.0, 45.0, 10.0, 48.0))
    _, wide = geo.view_for_bbox((-10.0, 40.0, 30.0, 60.0))
    _, europe = geo.view_for_bbox(geo.EUROPE_BBOX)
    assert narrow > wide > europe


def test_view_for_bbox_tiny_bbox_zooms_in_more_but_is_clamped_to_nine():
    _, country = geo.view_for_bbox((5.0, 45.0, 15.0, 50.0))
    _, small = geo.view_for_bbox((11.0, 48.0, 13.0, 49.0))
    _, tiny = geo.view_for_bbox((11.5, 48.1, 11.51, 48.11))
    _, point = geo.view_for_bbox((11.5, 48.1, 11.5, 48.1))
    assert country < small < tiny
    assert tiny == 9.0
    assert point == 9.0


def test_view_for_bbox_zoom_is_never_negative():
    _, zoom = geo.view_for_bbox((-180.0, -85.0, 180.0, 85.0), width=100, height=100)
    assert zoom == 0.0


# --- mapping.maps.colour_range --------------------------------------------------------------------


def test_colour_range_no_values():
    assert maps.colour_range(pd.Series([], dtype=float)) == (0.0, 1.0, False)
    assert maps.colour_range(pd.Series([np.nan, np.nan])) == (0.0, 1.0, False)


def test_colour_range_fewer_than_20_values_is_min_max():
    values = pd.Series([*range(1, 19), 1000.0, np.nan])  # 19 values, one an outlier
    lo, hi, clipped = maps.colour_range(values)
    assert (lo, hi) == (1.0, 1000.0)
    assert not clipped


def test_colour_range_20_values_clips_to_percentiles():
    values = pd.Series([*range(1, 20), 1000.0])  # 20 values
    lo, hi, clipped = maps.colour_range(values)
    # linear interpolation: 2nd percentile at index 0.38, 98th at index 18.62
    assert lo == pytest.approx(1.38)
    assert hi == pytest.approx(19 + 0.62 * 981)
    assert clipped


def test_colour_range_constant_values_do_not_give_an_empty_range():
    # Equal values sit in the middle of a unit range (a map of counts that are all 1 reads 0.5-1.5).
    lo, hi, clipped = maps.colour_range(pd.Series([5.0] * 25))
    assert (lo, hi) == (4.5, 5.5)
    assert not clipped
    assert maps.colour_range(pd.Series([0.0, 0.0])) == (-0.5, 0.5, False)
    lo, hi, _ = maps.colour_range(pd.Series([-4.0]))
    assert (lo, hi) == (-4.5, -3.5)


# --- mapping.maps.choropleth ----------------------------------------------------------------------


@pytest.fixture
def geometries() -> dict[str, dict]:
    return geo.parse_geometries(
        [
            ("AA1|2021", polygon_text(0, 50)),
            ("AA2|2021", polygon_text(1, 50)),
            ("AA3|2021", polygon_text(2, 50)),
            ("AA4|2021", polygon_text(3, 50)),
            ("AA|2021", polygon_text(0, 50, 4)),
        ]
    )


@pytest.fixture
def base(geometries) -> dict:
    return geo.feature_collection(["AA|2021"], geometries)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["AA1|2021", "AA2|2021", "AA3|2021"],
            "code": ["AA1", "AA2", "AA3"],
            "name": ["Alpha", "Beta", "Gamma"],
            "value": [12345.6, 2.5, np.nan],
            "year": [2022.0, 2021.0, 2022.0],
            "rank": [1.0, 2.0, np.nan],
            "n": [2.0, 2.0, 2.0],
            "flag": ["b", None, "c"],
        }
    )


@pytest.fixture
def no_data() -> pd.DataFrame:
    return pd.DataFrame({"key": ["AA4|2021"], "code": ["AA4"], "name": ["Delta"]})


def build(frame, geometries, base, **kw):
    spec = kw.pop("spec", MapSpec(title="GDP", unit="PPS"))
    return maps.choropleth(frame, spec=spec, geometries=geometries, base=base, **kw)


def test_choropleth_trace_order_no_data_values_highlight(frame, geometries, base, no_data):
    fig = build(frame, geometries, base, no_data=no_data, highlight="AA2|2021")
    assert len(fig.data) == 3
    grey, values, selected = fig.data
    assert grey.name == "No data"
    assert grey.showlegend is True
    assert grey.showscale is False
    assert {c for _, c in grey.colorscale} == {maps.NO_DATA_COLOUR}
    # the no-data trace holds the regions without a row and those whose value is NULL
    assert sorted(grey.locations) == ["AA3|2021", "AA4|2021"]
    assert list(values.locations) == ["AA1|2021", "AA2|2021"]
    assert values.name == "GDP"
    assert values.showlegend is False
    assert list(selected.locations) == ["AA2|2021"]
    assert selected.marker.line.color == maps.HIGHLIGHT_COLOUR
    assert selected.hoverinfo == "skip"


def test_choropleth_without_missing_rows_or_highlight_has_one_trace(frame, geometries, base):
    fig = build(frame[frame["value"].notna()], geometries, base, highlight="ZZ9|2021")
    assert len(fig.data) == 1
    assert fig.data[0].name == "GDP"


def test_choropleth_value_trace_z_and_range(frame, geometries, base):
    values = build(frame, geometries, base).data[-1]
    np.testing.assert_array_equal(values.z, [12345.6, 2.5])
    assert (values.zmin, values.zmax) == (2.5, 12345.6)
    assert values.colorscale[0][1] == "#00224e"  # cividis by default
    assert values.reversescale is False
    assert values.zmid is None


def test_choropleth_geojson_features_match_locations(frame, geometries, base):
    values = build(frame, geometries, base).data[-1]
    assert [f["id"] for f in values.geojson["features"]] == ["AA1|2021", "AA2|2021"]


@pytest.mark.parametrize(("higher_is_better", "reverse"), [(True, False), (None, False), (False, True)])
def test_choropleth_reversescale_when_lower_is_better(frame, geometries, base, higher_is_better, reverse):
    spec = MapSpec(title="Unemployment", unit="%", higher_is_better=higher_is_better)
    assert build(frame, geometries, base, spec=spec).data[-1].reversescale is reverse


def test_choropleth_diverging_palette_centres_on_the_reference(geometries, base):
    f = pd.DataFrame(
        {"key": ["AA1|2021", "AA2|2021", "AA3|2021"], "code": ["AA1", "AA2", "AA3"], "name": list("abc")}
    ).assign(value=[1.0, 2.0, 6.0])
    spec = MapSpec(title="T", unit="u", palette="puor", reference=2.0, reference_label="EU27")
    values = build(f, geometries, base, spec=spec).data[-1]
    # lo 1, hi 6, reference 2: half-width max(6 - 2, 2 - 1) = 4
    assert values.zmid == 2.0
    assert (values.zmin, values.zmax) == (-2.0, 6.0)
    assert "centre: EU27" in values.colorbar.title.text
    assert "= 2" in values.colorbar.title.text


def test_choropleth_diverging_palette_without_reference_uses_the_median(geometries, base):
    f = pd.DataFrame({"key": ["AA1|2021", "AA2|2021", "AA3|2021"], "code": ["AA1", "AA2", "AA3"]}).assign(
        name=list("abc"), value=[1.0, 3.0, 4.0]
    )
    values = build(f, geometries, base, spec=MapSpec(title="T", unit="u", palette="puor")).data[-1]
    assert values.zmid == 3.0
    assert (values.zmin, values.zmax) == (1.0, 5.0)
    assert "centre: median" in values.colorbar.title.text


def test_choropleth_unknown_palette_falls_back_to_cividis(frame, geometries, base):
    values = build(frame, geometries, base, spec=MapSpec(title="T", unit="u", palette="rainbow")).data[-1]
    assert values.colorscale[0][1] == "#00224e"
    assert values.zmid is None


def test_choropleth_layout_is_offline(frame, geometries, base, no_data):
    fig = build(frame, geometries, base, no_data=no_data, highlight="AA1|2021")
    m = fig.layout.map
    assert m.style == "white-bg"
    assert [layer.type for layer in m.layers] == ["fill", "line"]
    assert m.layers[0].below == "traces"
    assert m.layers[0].color == maps.LAND_COLOUR
    assert m.layers[1].color == maps.BORDER_COLOUR
    layout = json.loads(fig.to_json())["layout"]["map"]
    for layer in layout["layers"]:
        assert layer["sourcetype"] == "geojson"
        assert layer["source"] == geo.plain(base)
    assert "http" not in fig.to_json()


def test_choropleth_center_and_zoom(frame, geometries, base):
    fig = build(frame, geometries, base, center={"lon": 2.0, "lat": 50.5}, zoom=5.5, height=400)
    assert (fig.layout.map.center.lon, fig.layout.map.center.lat) == (2.0, 50.5)
    assert fig.layout.map.zoom == 5.5
    assert fig.layout.height == 400
    default = build(frame, geometries, base)
    assert (default.layout.map.center.lon, default.layout.map.center.lat) == (10.0, 52.0)


def test_choropleth_hover_customdata(frame, geometries, base):
    values = build(frame, geometries, base).data[-1]
    assert values.customdata.shape == (2, 6)
    assert list(values.customdata[0]) == ["Alpha", "AA1", "12,346", "2022", "1 of 2", "flag b: break in time series"]
    assert list(values.customdata[1]) == ["Beta", "AA2", "2.5", "2021", "2 of 2", ""]
    assert "%{customdata[0]}" in values.hovertemplate
    assert "PPS" in values.hovertemplate
    assert values.hovertemplate.endswith("<extra></extra>")


def test_choropleth_no_data_hover(frame, geometries, base, no_data):
    grey = build(frame, geometries, base, no_data=no_data).data[0]
    rows = {row[1]: list(row) for row in grey.customdata}
    assert rows["AA3"] == ["Gamma", "AA3", "no value", "2022", "–", "flag c: confidential"]
    assert rows["AA4"] == ["Delta", "AA4", "no value", "–", "–", ""]
    assert "no data" in grey.hovertemplate
    assert "%{customdata[2]}" not in grey.hovertemplate


def test_choropleth_hover_appends_the_nuts_note(geometries, base):
    f = pd.DataFrame(
        {
            "key": ["AA1|2021"],
            "code": ["AA1"],
            "name": ["Alpha"],
            "value": [3.0],
            "flag": ["ep"],
            "nuts_note": ["drawn on the 2021 outline"],
        }
    )
    note = build(f, geometries, base).data[-1].customdata[0][5]
    assert note == "flag e: estimated, p: provisional; drawn on the 2021 outline"


def test_choropleth_hover_escapes_braces_in_the_unit(frame, geometries, base):
    template = build(frame, geometries, base, spec=MapSpec(title="T", unit="index {2015}")).data[-1].hovertemplate
    assert "index (2015)" in template


def test_choropleth_hover_shows_a_percent_unit_once(frame, geometries, base):
    template = build(frame, geometries, base, spec=MapSpec(title="T", unit="% of GDP")).data[-1].hovertemplate
    assert " % of GDP<br>" in template
    assert "%%" not in template


# --- mapping.maps.columns_deck --------------------------------------------------------------------


@pytest.fixture
def points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["AA1", "AA2", "AA3", "AA4"],
            "name": ["Alpha", "Beta", "Gamma", "Delta"],
            "value": [1.5, 3.0, np.nan, 2.0],
            "lon": [0.5, 1.5, 2.5, np.nan],
            "lat": [50.5, 50.5, 50.5, np.nan],
            "flag": ["b", None, None, None],
            "year": [2020.0, np.nan, 2020.0, 2020.0],
        }
    )


def deck_for(points, base, spec=None):
    return maps.columns_deck(
        points,
        spec=spec or MapSpec(title="T", unit="u"),
        base_plain=geo.plain(base),
        center={"lon": 10.0, "lat": 52.0},
        zoom=3.0,
    )


def test_columns_deck_has_no_basemap_provider(points, base):
    deck = deck_for(points, base)
    assert deck.map_provider is None
    text = deck.to_json().lower()
    assert "mapbox" not in text
    assert "carto" not in text
    assert "http" not in text


def test_columns_deck_layers(points, base):
    deck = deck_for(points, base)
    assert [layer.type for layer in deck.layers] == ["GeoJsonLayer", "ColumnLayer"]
    assert json.loads(deck.to_json())["layers"][0]["data"] == geo.plain(base)


def test_columns_deck_view_state(points, base):
    view = deck_for(points, base).initial_view_state
    assert (view.latitude, view.longitude) == (50.0, 10.0)
    assert view.zoom == pytest.approx(3.3)
    assert view.pitch == 40


def test_columns_deck_drops_rows_without_value_or_position(points, base):
    records = deck_for(points, base).layers[1].data
    assert [r["code"] for r in records] == ["AA1", "AA2"]


def test_columns_deck_records(points, base):
    a, b = deck_for(points, base).layers[1].data
    assert a["label"] == "1.5 u"
    assert a["flags"] == "flag b: break in time series"
    assert a["year_txt"] == "2020"
    assert b["year_txt"] == ""
    assert b["flags"] == ""
    # lowest value: the base height; highest: base + full height
    assert a["elevation"] == pytest.approx(5_000)
    assert b["elevation"] == pytest.approx(605_000)


def test_columns_deck_colours_are_rgba_int_lists(points, base):
    records = deck_for(points, base).layers[1].data
    for r in records:
        colour = r["colour"]
        assert isinstance(colour, list)
        assert len(colour) == 4
        assert all(type(c) is int and 0 <= c <= 255 for c in colour)
        assert colour[3] == 230
    # cividis ends: dark blue for the lowest value, yellow for the highest
    assert records[0]["colour"][:3] == [0, 33, 78]
    assert records[1]["colour"][:3] == [254, 232, 56]


def test_columns_deck_lower_is_better_reverses_colours(points, base):
    records = deck_for(points, base, MapSpec(title="T", unit="u", higher_is_better=False)).layers[1].data
    assert records[0]["colour"][:3] == [254, 232, 56]
    assert records[1]["colour"][:3] == [0, 33, 78]


def test_columns_deck_with_no_usable_rows(base):
    empty = pd.DataFrame({"code": ["AA1"], "name": ["Alpha"], "value": [np.nan], "lon": [1.0], "lat": [50.0]})
    deck = deck_for(empty, base)
    assert list(deck.layers[1].data) == []
    json.loads(deck.to_json())
