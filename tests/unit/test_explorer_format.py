"""The map explorer's logic (mapping.explorer), number formatting and flag decoding."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mapping import explorer, geo
from mapping.flags import FLAGS, describe_flags
from mapping.formatting import fmt

EUROSTAT = "Eurostat regional statistics"
RIS25 = "Regional Innovation Scoreboard 2025"
RIS = "Regional Innovation Scoreboard 2023"
RCI = "Regional Competitiveness Index 2022"
EIS25 = "European Innovation Scoreboard 2025 (countries)"
EIS = "European Innovation Scoreboard 2023 (countries)"


# --- groups and indicators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "group"),
    [
        ("eurostat_nama", EUROSTAT),
        ("eurostat_lfs", EUROSTAT),
        ("eurostat_tgs00096", EUROSTAT),
        ("ris2025", RIS25),
        ("ris2023", RIS),
        ("eis2025", EIS25),
        ("rci2022", RCI),
        ("eis2023", EIS),
        ("ris2021", "Other sources"),
        ("sbs", "Other sources"),
        ("", "Other sources"),
    ],
)
def test_group_of(source_id, group):
    assert explorer.group_of(source_id) == group


def test_source_group_labels_are_unique():
    labels = [label for label, _ in explorer.SOURCE_GROUPS]
    assert len(labels) == len(set(labels))
    assert "Other sources" not in labels


@pytest.fixture
def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["sbs.persons", "ris.0", "eurostat.gdp", "ris2025.0", "eurostat.unemp", "rci.population"],
            "source_id": ["sbs", "ris2023", "eurostat_nama", "ris2025", "eurostat_lfs", "rci2022"],
        }
    )


def test_groups_follow_source_groups_order_then_others(catalog):
    assert explorer.groups(catalog) == [EUROSTAT, RIS25, RIS, RCI, "Other sources"]


def test_groups_leave_out_absent_groups():
    catalog = pd.DataFrame({"indicator_id": ["a", "b"], "source_id": ["eis2023", "ris2023"]})
    assert explorer.groups(catalog) == [RIS, EIS]


def test_groups_of_an_empty_catalog():
    assert explorer.groups(pd.DataFrame({"indicator_id": [], "source_id": []})) == []


def test_indicators_in_keeps_catalog_order(catalog):
    assert explorer.indicators_in(catalog, EUROSTAT) == ["eurostat.gdp", "eurostat.unemp"]
    assert explorer.indicators_in(catalog, RIS25) == ["ris2025.0"]
    assert explorer.indicators_in(catalog, "Other sources") == ["sbs.persons"]
    assert explorer.indicators_in(catalog, EIS) == []


def test_indicator_label():
    row = pd.Series({"dimension": "Economy", "label": "GDP per head"})
    assert explorer.indicator_label(row) == "Economy · GDP per head"


@pytest.mark.parametrize(
    ("levels", "expected"),
    [("0,2", [0, 2]), ("3,1,2", [1, 2, 3]), ("2", [2]), ("", []), (None, []), (np.nan, [])],
)
def test_levels_of(levels, expected):
    assert explorer.levels_of(pd.Series({"levels": levels})) == expected


def test_levels_of_without_the_column():
    assert explorer.levels_of(pd.Series({"label": "x"})) == []


@pytest.mark.parametrize(
    ("nuts_version", "base"), [("2024", "2024"), ("2021", "2021"), (None, "2021"), ("2016", "2021")]
)
def test_base_version(nuts_version, base):
    assert explorer.base_version(nuts_version) == base


# --- map_frames -----------------------------------------------------------------------------------


class FakeQuery:
    """Answers named queries from a dict and records every call."""

    def __init__(self, answers: dict[str, pd.DataFrame]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, name: str, **params) -> pd.DataFrame:
        self.calls.append((name, params))
        return self.answers[name].copy()


VALUES = pd.DataFrame(
    {
        "code": ["DE21", "DE22", "FR10", "FR21", "PL91"],
        "country": ["DE", "DE", "FR", "FR", "PL"],
        "value": [10.0, 20.0, 40.0, np.nan, 100.0],
    }
)
NODATA = pd.DataFrame({"code": ["DE30", "FR22"], "country": ["DE", "FR"]})


def fake(reference: pd.DataFrame) -> FakeQuery:
    return FakeQuery({"map_values": VALUES, "map_nodata": NODATA, "indicator_reference": reference})


EU27 = pd.DataFrame({"region_code": ["EU27_2020"], "value": [33.5]})
NO_REFERENCE = pd.DataFrame({"region_code": pd.Series([], dtype=str), "value": pd.Series([], dtype=float)})


def test_map_frames_uses_the_eu27_reference():
    frames = explorer.map_frames(fake(EU27), indicator="ind", year=2022, level=2, nuts_version="2021")
    assert frames.reference == 33.5
    assert frames.reference_label == "EU27"
    assert frames.values["code"].tolist() == VALUES["code"].tolist()
    assert frames.no_data["code"].tolist() == ["DE30", "FR22"]


def test_map_frames_falls_back_to_the_median():
    frames = explorer.map_frames(fake(NO_REFERENCE), indicator="ind", year=2022, level=2, nuts_version="2021")
    assert frames.reference == 30.0  # median of 10, 20, 40, 100 (the NULL is left out)
    assert frames.reference_label == "median"


def test_map_frames_null_reference_falls_back_to_the_median():
    null_ref = pd.DataFrame({"region_code": ["EU27_2020"], "value": [np.nan]})
    frames = explorer.map_frames(fake(null_ref), indicator="ind", year=2022, level=2, nuts_version="2021")
    assert frames.reference == 30.0
    assert frames.reference_label == "median"


def test_map_frames_country_filter():
    frames = explorer.map_frames(
        fake(NO_REFERENCE), indicator="ind", year=2022, level=2, nuts_version="2021", country="FR"
    )
    assert frames.values["code"].tolist() == ["FR10", "FR21"]
    assert frames.no_data["code"].tolist() == ["FR22"]
    assert frames.reference == 40.0  # the median of the country's own values
    assert frames.reference_label == "median"


def test_map_frames_country_filter_keeps_the_eu27_reference():
    frames = explorer.map_frames(fake(EU27), indicator="ind", year=2022, level=2, nuts_version="2021", country="DE")
    assert frames.values["code"].tolist() == ["DE21", "DE22"]
    assert (frames.reference, frames.reference_label) == (33.5, "EU27")


def test_map_frames_without_any_value_has_no_reference():
    frames = explorer.map_frames(
        fake(NO_REFERENCE), indicator="ind", year=2022, level=2, nuts_version="2021", country="SE"
    )
    assert frames.values.empty
    assert frames.reference is None
    assert frames.reference_label == "median"


def test_map_frames_query_parameters():
    query = fake(EU27)
    explorer.map_frames(query, indicator="ris.0", year=2021, level=3, nuts_version="2024")
    assert query.calls == [
        ("map_values", {"indicator": "ris.0", "year": 2021, "level": 3}),
        ("map_nodata", {"indicator": "ris.0", "year": 2021, "level": 3, "nuts_version": "2024"}),
        ("indicator_reference", {"indicator": "ris.0", "year": 2021}),
    ]
    query = fake(EU27)
    explorer.map_frames(query, indicator="ris.0", year=2021, level=3, nuts_version="aggregate")
    assert query.calls[1][1]["nuts_version"] == "2021"


def test_key_figures_puts_the_mapped_indicator_first_without_duplicates():
    query = FakeQuery({"region_key_figures": pd.DataFrame()})
    explorer.key_figures(query, "DE21", "eurostat.unemployment_rate")
    name, params = query.calls[0]
    assert name == "region_key_figures"
    assert params["region"] == "DE21" and "DE" in params["eu"] and "NO" not in params["eu"]
    wanted = params["indicators"]
    assert wanted[0] == "eurostat.unemployment_rate"
    assert len(wanted) == len(set(wanted)) == len(explorer.KEY_INDICATORS)
    explorer.key_figures(query, "DE21", None)
    assert query.calls[1][1]["indicators"] == explorer.KEY_INDICATORS


# --- country_bbox ---------------------------------------------------------------------------------


def square(x: float, y: float, size: float = 1.0) -> str:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def bbox_lookup() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["FR10", "FRK2", "FRY1", "FRY5", "FR1", "FRZZ", "DE21", "FRL0"],
            "nuts_version": ["2021", "2024", "2021", "2021", "2021", "2021", "2021", "2021"],
            "level": [2, 2, 2, 2, 1, 2, 2, 2],
            "country": ["FR", "FR", "FR", "FR", "FR", "FR", "DE", "FR"],
            "is_unit": [False, False, False, False, False, True, False, False],
            "lon": [2.5, 5.5, -61.5, 45.1, 2.5, 20.0, 11.5, 6.0],
            "lat": [48.5, 45.5, 16.2, -12.8, 48.5, 60.0, 48.0, 43.5],
        }
    )


@pytest.fixture
def bbox_geometries() -> dict[str, dict]:
    return geo.parse_geometries(
        [
            ("FR10|2021", square(2, 48)),
            ("FRK2|2024", square(5, 45)),
            ("FRY1|2021", square(-62, 16)),  # Guadeloupe: outside the continental frame
            ("FRY5|2021", square(45, -13)),  # Mayotte
            ("FR1|2021", square(-10, 30, 30)),  # another level
            ("FRZZ|2021", square(19, 59)),  # a unit, not a region
            ("DE21|2021", square(11, 47, 2)),  # another country
            # FRL0 has no geometry at this level
        ]
    )


def test_country_bbox_leaves_out_outermost_regions(bbox_lookup, bbox_geometries):
    assert explorer.country_bbox(bbox_lookup, bbox_geometries, "FR", 2) == (2.0, 45.0, 6.0, 49.0)


def test_country_bbox_other_country(bbox_lookup, bbox_geometries):
    assert explorer.country_bbox(bbox_lookup, bbox_geometries, "DE", 2) == (11.0, 47.0, 13.0, 49.0)


def test_country_bbox_other_level(bbox_lookup, bbox_geometries):
    assert explorer.country_bbox(bbox_lookup, bbox_geometries, "FR", 1) == (-10.0, 30.0, 20.0, 60.0)


def test_country_bbox_without_regions_is_none(bbox_lookup, bbox_geometries):
    assert explorer.country_bbox(bbox_lookup, bbox_geometries, "PL", 2) is None
    assert explorer.country_bbox(bbox_lookup, bbox_geometries, "DE", 3) is None


# --- fmt ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "–"),
        (float("nan"), "–"),
        (np.nan, "–"),
        (np.float64("nan"), "–"),
        (0, "0"),
        (7, "7"),
        (2.5, "2.5"),
        (12.345, "12.3"),
        (-3.14159, "-3.14"),
        (99.94, "99.9"),
        (0.000123456, "0.000123"),
        (100.0, "100"),
        (1234.0, "1,234"),
        (1234.56, "1,234.6"),
        (1000.04, "1,000"),
        (9999.9, "9,999.9"),
        (10_000, "10,000"),
        (12345.6, "12,346"),
        (-20_000.4, "-20,000"),
        (1_234_567_890, "1,234,567,890"),
        (np.int64(500), "500"),
        (np.float64(0.5), "0.5"),
    ],
)
def test_fmt(value, text):
    assert fmt(value) == text


def test_fmt_with_unit():
    assert fmt(12.5, "%") == "12.5 %"
    assert fmt(12345.6, "EUR") == "12,346 EUR"
    assert fmt(3.0, "") == "3"
    assert fmt(None, "EUR") == "–"


# --- describe_flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "text"),
    [
        ("b", "flag b: break in time series"),
        ("bu", "flag b: break in time series, u: low reliability"),
        ("ep", "flag e: estimated, p: provisional"),
        (" p ", "flag p: provisional"),
        ("c", "flag c: confidential"),
        ("x", "flag x: unknown flag"),
        (None, ""),
        (float("nan"), ""),
        (np.nan, ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_describe_flags(flag, text):
    assert describe_flags(flag) == text


def test_every_known_flag_is_decoded():
    for letter, meaning in FLAGS.items():
        assert describe_flags(letter) == f"flag {letter}: {meaning}"
