"""Tables as people read them (issue 12, 9): human column labels, '–' for a missing value, no negative zero,
thousands separators; the values underneath stay numbers."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
import pytest

from mapping.formatting import cell

RAW = re.compile(r"\b(?:None|nan|NaN|NaT|True|False)\b|^-0(?:\.0+)?%?$")


def test_cell_formatting():
    assert cell(-0.0, decimals=1) == "0.0" and cell(-0.04, decimals=1) == "0.0" and cell(-0.4, decimals=0) == "0"
    assert cell(1234567.0) == "1,234,567" and cell(0.25, decimals=1, percent=True) == "25.0%"
    assert cell(None) == cell(float("nan")) == cell(pd.NA) == "–"
    assert cell(-2.5, decimals=1) == "-2.5" and cell(12.0, unit="persons") == "12 persons"


def shown(element) -> tuple[pd.DataFrame, dict[str, str]]:
    """The text a st.dataframe shows (its Styler display values) and its column labels."""
    text = pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_all().to_pandas()
    config = json.loads(element.proto.columns or "{}")
    labels = {name: spec.get("label", name) for name, spec in config.items()}
    return text, labels


def check(element, *, labels: dict[str, str]) -> pd.DataFrame:
    text, got = shown(element)
    for name, label in labels.items():
        assert got.get(name) == label, (name, got.get(name))
    cells = text.astype(str).stack()
    bad = cells[cells.map(lambda v: bool(RAW.search(v)))]
    assert bad.empty, bad.head(10).to_dict()
    return text


pytestmark = pytest.mark.integration


def test_escp_gap_table(app_test):
    at = app_test("pages/escp.py", tab="gap")
    table = next(d for d in at.dataframe if "cells_2plus" in d.value.columns)
    text = check(table, labels={"cells_2plus": "Starred cells (>= 2 stars)", "gap_pp": "Gap (pp)"})
    assert text["gap_pp"].str.fullmatch(r"-?\d+\.\d").all()


def test_cluster_tables(app_test):
    sector = app_test("pages/clusters.py", tab="sector")
    table = next(d for d in sector.dataframe if "share_r" in d.value.columns)
    text = check(table, labels={"share_r": "Share of region", "coverage_r": "Region's sectors with a value"})
    assert text["persons"].str.contains(",").any()  # thousands separators
    assert (text["flag"] != "None").all()
    region = app_test("pages/clusters.py", tab="region", region="DE11")
    check(next(d for d in region.dataframe if "quadrant" in d.value.columns), labels={"growth": "Growth / year"})
    flips = app_test("pages/clusters.py", tab="sensitivity")
    check(flips.dataframe[-1], labels={"stars_base": "Stars now"})


def test_scoreboard_tables(app_test):
    at = app_test("pages/scoreboard.py", region="DE21")
    check(at.dataframe[0], labels={"value": "Score", "rank_in_country": "Rank in country"})
    dims = next(d for d in at.dataframe if "indicator coverage" in d.value.columns)
    check(dims, labels={"indicator coverage": "Indicators with a value"})
