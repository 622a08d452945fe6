"""Tables as people read them (issue 12, 9): human column labels, '–' for a missing value, no negative zero,
thousands separators; the values underneath stay numbers."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from mapping.formatting import cell
from mapping.ui import tables
from mapping.ui.tables import Col

RAW = re.compile(r"\b(?:None|nan|NaN|NaT|True|False)\b|^-0(?:\.0+)?%?$")


def test_cell_formatting():
    assert cell(-0.0, decimals=1) == "0.0" and cell(-0.04, decimals=1) == "0.0" and cell(-0.4, decimals=0) == "0"
    assert cell(1234567.0) == "1,234,567" and cell(0.25, decimals=1, percent=True) == "25.0%"
    assert cell(None) == cell(float("nan")) == cell(pd.NA) == "–"
    assert cell(-2.5, decimals=1) == "-2.5" and cell(12.0, unit="persons") == "12 persons"


def printf_text(value: float, spec: str) -> str:
    """What the browser's sprintf shows for ``value`` under one of our formats ("%,.1f%%", "%,.0f persons")."""
    m = re.fullmatch(r"%,\.(\d)f(%%)?( .+)?", spec)
    assert m, spec
    text = f"{value:,.{int(m.group(1))}f}" + ("%" if m.group(2) else "") + (m.group(3) or "").replace("%%", "%")
    return text


def test_table_data_and_formats():
    """The frame a table sends: numbers stay numbers (a share times 100), a value that rounds to zero is +0 (the
    browser would show "-0.0"), booleans read yes/no, a missing value stays missing (the placeholder shows "–")."""
    columns = {
        "name": Col("Name"),
        "share": Col("Share", decimals=1, percent=True),
        "persons": Col("Persons", decimals=0, unit="persons"),
        "gap": Col("Gap (pp)", decimals=1),
        "held": Col("Held"),
    }
    frame = pd.DataFrame(
        {
            "name": ["a", None, "c"],
            "share": [0.25, np.nan, -0.0004],
            "persons": pd.array([1234567, None, 3], dtype="Int64"),
            "gap": [-0.04, 2.26, -3.0],
            "held": [True, False, True],
            "dropped": [1, 2, 3],
        }
    )
    data, config = tables.shown(frame, columns)
    assert list(data.columns) == list(columns)
    assert data["share"].tolist()[0] == 25.0 and np.isnan(data["share"].iloc[1])
    assert not np.signbit(data["share"].iloc[2]) and not np.signbit(data["gap"].iloc[0])
    assert data["gap"].tolist()[1:] == [2.26, -3.0] and data["held"].tolist() == ["yes", "no", "yes"]
    assert pd.isna(data["name"].iloc[1]) and pd.isna(data["persons"].iloc[1])
    formats = {name: spec["type_config"].get("format") for name, spec in config.items()}
    assert formats["share"] == "%,.1f%%" and formats["persons"] == "%,.0f persons" and formats["gap"] == "%,.1f"
    assert printf_text(data["persons"].iloc[0], formats["persons"]) == "1,234,567 persons"
    assert printf_text(data["share"].iloc[2], formats["share"]) == "0.0%"


def shown(element) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The values a st.dataframe sends and its column config."""
    data = pa.ipc.open_stream(element.proto.arrow_data.data).read_all().to_pandas()
    return data, json.loads(element.proto.columns or "{}")


def check(element, *, labels: dict[str, str]) -> pd.DataFrame:
    """Labels as given; "–" for a missing value; every number column formatted with thousands separators and
    fixed decimals and free of negative zeros; no text cell reading None, nan or True."""
    data, config = shown(element)
    assert element.proto.placeholder == "–"
    for name, label in labels.items():
        assert config.get(name, {}).get("label") == label, (name, config.get(name))
    for name, spec in config.items():
        if name not in data.columns:  # "_index" (hidden)
            continue
        values = data[name]
        fmt = spec.get("type_config", {}).get("format")
        if fmt is not None:
            assert re.fullmatch(r"%,\.\d+f(%%)?( \S.*)?", fmt), (name, fmt)
            zeros = values.to_numpy(dtype="float64", na_value=np.nan) == 0
            assert not np.signbit(values.to_numpy(dtype="float64", na_value=np.nan)[zeros]).any(), name
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.dropna().astype(str)
            bad = text[text.map(lambda v: bool(RAW.search(v)))]
            assert bad.empty, (name, bad.head(10).tolist())
    return data


pytestmark = pytest.mark.integration


def test_escp_gap_table(app_test):
    at = app_test("pages/escp.py", tab="gap")
    table = next(d for d in at.dataframe if "cells_2plus" in d.value.columns)
    data = check(table, labels={"cells_2plus": "Starred cells (>= 2 stars)", "gap_pp": "Gap (pp)"})
    assert shown(table)[1]["gap_pp"]["type_config"]["format"] == "%,.1f" and data["gap_pp"].notna().all()


def test_cluster_tables(app_test):
    sector = app_test("pages/clusters.py", tab="sector")
    table = next(d for d in sector.dataframe if "share_r" in d.value.columns)
    data = check(table, labels={"share_r": "Share of region", "coverage_r": "Region's sectors with a value"})
    assert data["share_r"].max() > 1  # a share is sent as a percentage, as the column shows it
    assert (data["flag"].dropna() != "None").all()
    region = app_test("pages/clusters.py", tab="region", region="DE11")
    check(next(d for d in region.dataframe if "quadrant" in d.value.columns), labels={"growth": "Growth / year"})
    flips = app_test("pages/clusters.py", tab="sensitivity")
    check(flips.dataframe[-1], labels={"stars_base": "Stars now"})


def test_scoreboard_tables(app_test):
    at = app_test("pages/scoreboard.py", region="DE21")
    check(at.dataframe[0], labels={"value": "Score", "rank_in_country": "Rank in country"})
    dims = next(d for d in at.dataframe if "indicator coverage" in d.value.columns)
    check(dims, labels={"indicator coverage": "Indicators with a value"})
