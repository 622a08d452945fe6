"""Scoreboard methods on small hand examples: normalisation, outliers, coverage, composite, peers, scorecard."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mapping import scoreboard as sb
from mapping.scoreboard import Dimension, Framework, IndicatorSpec


def spec(i, dim="d1", transform="none", weight=1.0):
    return IndicatorSpec(id=i, dimension=dim, year=2023, transform=transform, weight=weight)


def test_min_max_and_direction():
    raw = pd.DataFrame({"up": [0.0, 5.0, 10.0], "down": [0.0, 5.0, 10.0]}, index=list("ABC"))
    norm = sb.normalise(raw, [spec("up"), spec("down")], {"up": 1, "down": -1})
    assert norm["up"].tolist() == [0.0, 0.5, 1.0]
    assert norm["down"].tolist() == [1.0, 0.5, 0.0]


def test_outliers_do_not_set_the_bounds_and_are_clipped():
    # 0..10 and 100: mean 12.92, SD 26.43 -> 100 lies beyond mean + 3 SD (92.2): bounds are 0 and 10.
    values = [*range(11), 100.0]
    raw = pd.DataFrame({"x": values}, index=[f"R{i}" for i in range(12)], dtype=float)
    lo, hi = sb.outlier_free_bounds(raw["x"], 3.0)
    assert (lo, hi) == (0.0, 10.0)
    norm = sb.normalise(raw, [spec("x")], {"x": 1}, outlier_sd=3.0)
    assert norm.loc["R5", "x"] == pytest.approx(0.5)
    assert norm.loc["R11", "x"] == 1.0  # the outlier is clipped, not dropped


def test_square_root_transform_before_scaling():
    raw = pd.DataFrame({"x": [0.0, 25.0, 100.0]}, index=list("ABC"))
    norm = sb.normalise(raw, [spec("x", transform="sqrt")], {"x": 1})
    assert norm["x"].tolist() == [0.0, 0.5, 1.0]  # sqrt: 0, 5, 10


def test_zscore_variant():
    raw = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}, index=list("ABC"))
    norm = sb.normalise(raw, [spec("x"), spec("y")], {"x": 1, "y": -1}, method="zscore")
    sd = np.std([1, 2, 3])
    assert norm["x"].tolist() == pytest.approx([-1 / sd, 0, 1 / sd])
    assert norm["y"].tolist() == pytest.approx([1 / sd, 0, -1 / sd])


def test_missing_stays_missing():
    raw = pd.DataFrame({"x": [0.0, np.nan, 10.0]}, index=list("ABC"))
    norm = sb.normalise(raw, [spec("x")], {"x": 1})
    assert math.isnan(norm.loc["B", "x"])


def framework(min_share=0.5, min_dims=2):
    dims = (
        Dimension("d1", "One", tuple(spec(i, "d1") for i in ("a", "b", "c", "d"))),
        Dimension("d2", "Two", (spec("e", "d2"),)),
        Dimension("d3", "Three", (spec("f", "d3", weight=3.0), spec("g", "d3"))),
    )
    return Framework(dimensions=dims, countries=("XX",), min_indicator_share=min_share, min_dimensions=min_dims)


def test_coverage_rule_and_weighted_mean():
    norm = pd.DataFrame(
        {
            "a": [1.0, 1.0],
            "b": [0.0, np.nan],
            "c": [np.nan, np.nan],
            "d": [np.nan, np.nan],
            "e": [0.5, 0.5],
            "f": [1.0, np.nan],
            "g": [0.0, 0.2],
        },
        index=["R1", "R2"],
    )
    dims, coverage = sb.dimension_scores(norm, framework())
    # R1: d1 has 2 of 4 (share 0.5, scored: mean 0.5); R2: 1 of 4 (0.25 < 0.5): missing.
    assert dims.loc["R1", "d1"] == 0.5 and math.isnan(dims.loc["R2", "d1"])
    assert coverage.loc["R2", "d1"] == 0.25
    # d3 weights f=3, g=1: R1 (3*1 + 1*0)/4 = 0.75; R2 has only g (weight share 1/4 < 0.5): missing.
    assert dims.loc["R1", "d3"] == 0.75 and math.isnan(dims.loc["R2", "d3"])
    overall = sb.overall_score(dims, min_dimensions=2)
    assert overall["R1"] == pytest.approx((0.5 + 0.5 + 0.75) / 3)
    assert math.isnan(overall["R2"])  # only d2 scored: 1 < 2 dimensions


def test_ranks_overall_and_within_country():
    scores = pd.DataFrame({"overall": [0.9, 0.5, 0.5, np.nan, 0.7]}, index=["A1", "A2", "B1", "B2", "B3"])
    country = pd.Series(["A", "A", "B", "B", "B"], index=scores.index)
    eu, national = sb.ranks(scores, country)
    assert eu["overall"].tolist()[:3] == [1.0, 3.0, 3.0] and math.isnan(eu.loc["B2", "overall"])
    assert eu.loc["B3", "overall"] == 2.0
    assert national["overall"].tolist()[:3] == [1.0, 2.0, 2.0] and national.loc["B3", "overall"] == 1.0


def test_peer_distances_and_contributions():
    z = pd.DataFrame(
        {"v1": [0.0, 1.0, 0.0, 3.0, 1.0], "v2": [0.0, 0.0, 2.0, 4.0, np.nan], "v3": [0.0] * 5},
        index=["A", "B", "C", "D", "E"],
    )
    p = sb.peers(z, "A", k=4)
    assert list(p.index) == ["B", "E", "C", "D"]
    assert p.loc["B", "distance"] == 1.0 and p.loc["C", "distance"] == 2.0 and p.loc["D", "distance"] == 5.0
    # E misses v2: squared distance 1 over 2 variables, rescaled to 3 variables -> sqrt(1.5).
    assert p.loc["E", "distance"] == pytest.approx(math.sqrt(1.5)) and p.loc["E", "variables_used"] == 2
    assert p.loc["D", ["share_v1", "share_v2", "share_v3"]].tolist() == pytest.approx([9 / 25, 16 / 25, 0])


def test_chosen_peers_keep_their_order_by_distance():
    z = pd.DataFrame({"v1": [0.0, 5.0, 1.0], "v2": [0.0, 0.0, 0.0]}, index=["A", "B", "C"])
    p = sb.peers(z, "A", candidates=["B", "C"])
    assert list(p.index) == ["C", "B"]


def test_scorecard_rule_and_focus_areas():
    norm = pd.DataFrame(
        {"x": [0.8, 0.5, 0.6, 0.7], "y": [0.55, 0.5, 0.6, 0.7], "z": [0.45, 0.5, 0.6, 0.7], "w": [np.nan, 1, 1, 1]},
        index=["R", "P1", "P2", "P3"],
    )
    dims = pd.DataFrame({"d1": [0.2, 0.5, 0.6, 0.7], "d2": [0.9, 0.5, 0.5, 0.5]}, index=norm.index)
    board = sb.Scoreboard(pd.DataFrame(), norm, norm, norm, dims, dims, dims.mean(axis=1), dims, dims)
    card = sb.scorecard(board, "R", ["P1", "P2", "P3"], margin=0.1)
    assert card["peer_median"].tolist()[:3] == pytest.approx([0.6, 0.6, 0.6])
    assert card["verdict"].tolist() == ["strength", "neutral", "weakness", "no comparison"]
    focus = sb.focus_areas(board, "R", ["P1", "P2", "P3"])
    assert list(focus.index) == ["d1"] and focus.loc["d1", "gap"] == pytest.approx(-0.4)


def test_assemble_takes_missing_values_from_successor_unit_nuts1_and_single_region_country():
    universe = pd.DataFrame(
        {
            "code": ["XX11", "XX12", "YY00"],
            "country": ["XX", "XX", "YY"],
            "parent": ["XX1", "XX1", "YY0"],
            "regions_in_country": [2, 2, 1],
        }
    )
    rows = [
        ("XX1", "a", 5.0),
        ("XX12", "a", 7.0),  # XX11 from its NUTS 1 region
        ("U1", "b", 3.0),  # both XX regions from the unit
        ("YY", "c", 9.0),
        ("XX", "c", 4.0),  # country value only for the single-region country
        ("XX13", "d", 8.0),  # NUTS 2024 successor of XX11
        ("XX11", "e", 1.0),
        ("XX1", "e", 2.0),  # own value wins over the parent
    ]
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "value"]).assign(year=2023)
    units = pd.DataFrame({"unit_code": ["U1", "U1"], "member_code": ["XX11", "XX12"]})
    specs = [spec(i) for i in "abcde"]
    raw, origin = sb.assemble(specs, values, universe, units, {"XX11": "XX13"})
    assert raw.loc["XX11", "a"] == 5.0 and origin.loc["XX11", "a"] == "NUTS 1 XX1"
    assert raw.loc["XX12", "a"] == 7.0 and origin.loc["XX12", "a"] == ""
    assert raw.loc["XX12", "b"] == 3.0 and origin.loc["XX12", "b"] == "unit U1"
    assert raw.loc["YY00", "c"] == 9.0 and origin.loc["YY00", "c"] == "country YY"
    assert math.isnan(raw.loc["XX11", "c"])  # XX has two regions: no country value
    assert raw.loc["XX11", "d"] == 8.0 and origin.loc["XX11", "d"] == "NUTS 2024 XX13"
    assert raw.loc["XX11", "e"] == 1.0 and origin.loc["XX11", "e"] == ""


def test_framework_file_is_consistent():
    fw = sb.load_framework()
    assert len(fw.dimensions) >= 6
    assert all(d.indicators for d in fw.dimensions)
    assert {i.transform for i in fw.indicators} <= {"none", "sqrt", "log"}
    assert all(i.id in fw.derived for i in fw.indicators if i.id.startswith("cluster."))


# --------------------------------------------------------------------------- editions and "latest" years


def test_latest_year_needs_broad_coverage():
    counts = pd.DataFrame({"year": [2021, 2022, 2023, 2024], "n": [240, 250, 230, 5]})
    assert sb.latest_year(counts, 0.8) == 2023  # 2024: 5 regions published early, not taken
    assert sb.latest_year(counts, 0.95) == 2022
    assert sb.latest_year(counts.iloc[0:0], 0.8) is None


class FakeQuery:
    """The few queries resolve() asks, answered from small frames."""

    def __init__(self, loaded: list[str], catalog: dict[str, str], coverage: list[tuple[str, int, int]]):
        self.loaded, self.catalog, self.coverage = loaded, catalog, coverage

    def __call__(self, name: str, **params) -> pd.DataFrame:
        if name == "sources":
            return pd.DataFrame({"source_id": self.loaded, "status": ["loaded"] * len(self.loaded)})
        if name == "catalog":
            return pd.DataFrame({"indicator_id": list(self.catalog), "label": list(self.catalog.values())})
        if name == "indicator_coverage":
            rows = [r for r in self.coverage if r[0] in params["indicators"]]
            return pd.DataFrame(rows, columns=["indicator_id", "year", "n"])
        if name == "cluster_years":
            return pd.DataFrame({"year": [2014, 2015], "regions": [282, 167]})
        raise KeyError(name)


def _framework() -> Framework:
    specs = (
        IndicatorSpec("ris.1.2.1", "inn", "latest", name="International scientific co-publications"),
        IndicatorSpec("ris.4.1.1", "inn", "latest", name="Employment in knowledge-intensive activities"),
        IndicatorSpec("rci.x", "inn", 2019),
        IndicatorSpec("cluster.starred_divisions", "inn", "latest"),
    )
    return Framework(
        dimensions=(Dimension("inn", "Innovation", specs),),
        countries=("DE",),
        peer_variables=(IndicatorSpec("ris.0", "peers", "latest", name="Regional Innovation Index"),),
        peer_labels={"ris.0": "Regional Innovation Index"},
    )


CATALOG = {
    "ris.0": "Regional Innovation Index",
    "ris.1.2.1": "International scientific co-publications",
    "ris.4.1.1": "Employment in knowledge-intensive activities",
    "ris2025.0": "Regional Innovation Index",
    "ris2025.1.2.1": "International scientific co-publications",
    "ris2025.4.1.1": "Sales of new-to-market and new-to-firm innovations",
    "rci.x": "x",
}
COVERAGE = [
    ("ris.0", 2023, 240),
    ("ris.1.2.1", 2023, 240),
    ("ris.4.1.1", 2023, 240),
    ("ris2025.0", 2024, 240),
    ("ris2025.0", 2025, 238),
    ("ris2025.1.2.1", 2025, 236),
    ("ris2025.4.1.1", 2025, 236),
]


def test_resolve_takes_the_newest_edition_and_carries_only_same_code_same_name():
    query = FakeQuery(["ris2025", "ris2023"], CATALOG, COVERAGE)
    fw = sb.resolve(_framework(), query)
    assert fw.ris_edition == "2025"
    got = {s.id: s.year for s in fw.indicators}
    assert got == {"ris2025.1.2.1": 2025, "rci.x": 2019, "cluster.starred_divisions": 2014}
    assert [p.id for p in fw.peer_variables] == ["ris2025.0"] and fw.peer_variables[0].year == 2025
    assert fw.peer_labels == {"ris2025.0": "Regional Innovation Index"}
    assert any("Employment in knowledge-intensive activities" in n and "left out" in n for n in fw.notes)


def test_resolve_keeps_ris_2023_when_asked_or_when_alone():
    for loaded, asked in ((["ris2025", "ris2023"], "2023"), (["ris2023"], None)):
        fw = sb.resolve(_framework(), FakeQuery(loaded, CATALOG, COVERAGE), ris_edition=asked)
        assert fw.ris_edition == "2023"
        assert {s.id for s in fw.indicators} == {"ris.1.2.1", "ris.4.1.1", "rci.x", "cluster.starred_divisions"}


def test_resolve_without_any_ris_names_what_is_left_out():
    catalog = {k: v for k, v in CATALOG.items() if not k.startswith("ris")}
    fw = sb.resolve(_framework(), FakeQuery([], catalog, []))
    assert fw.ris_edition == ""
    assert {s.id for s in fw.indicators} == {"rci.x", "cluster.starred_divisions"}
    assert sum("no data in this build" in n for n in fw.notes) == 3  # two RIS inputs and the RII peer variable
