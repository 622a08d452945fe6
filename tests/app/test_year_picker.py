"""The map's year picker: years carry their coverage, the default is the latest well-covered year, a thin year is
flagged, and 'Latest per region' maps each region's newest value with its year (issue 12, 'years without data')."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from mapping import db, explorer

pytestmark = pytest.mark.integration


def _script():
    import streamlit as st

    from mapping import explorer
    from mapping.ui import data, pickers

    indicator = st.query_params.get("indicator", "eurostat.gerd_pc_gdp")
    choice = pickers.year_picker(indicator, 2)
    choice.warn()
    frames = explorer.map_frames(data.query, indicator=indicator, year=choice.year, level=2, nuts_version="2024")
    st.session_state["frames"] = frames
    st.session_state["choice"] = choice


@pytest.fixture
def picker(real_db, monkeypatch):
    monkeypatch.setenv("CLUSTERMAP_DB", str(real_db))

    def run(**params) -> AppTest:
        at = AppTest.from_function(_script, default_timeout=60)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def _counts(real_db, indicator="eurostat.gerd_pc_gdp") -> dict[int, int]:
    con = db.connect(real_db)
    years = db.query(con, "indicator_years", indicator=indicator, level=2)
    return dict(zip(years["year"], years["n"], strict=True))


def test_years_show_their_regions_and_the_default_skips_a_thin_year(picker, real_db):
    counts = _counts(real_db)
    newest, best = max(counts), max(counts.values())
    assert counts[newest] < 0.5 * best  # R&D expenditure: the newest year has a handful of regions
    at = picker()
    box = at.selectbox[0]
    expected_default = max(y for y, n in counts.items() if n >= 0.5 * best)
    assert box.value == expected_default != newest
    labels = box.options
    assert f"{newest} · {counts[newest]} region{'s' if counts[newest] != 1 else ''} (few)" in labels
    assert f"{expected_default} · {counts[expected_default]} regions" in labels
    assert labels[0].startswith("Latest per region")
    assert "50%" in box.help
    assert not at.warning


def test_a_thin_year_is_flagged(picker, real_db):
    counts = _counts(real_db)
    newest = max(counts)
    at = picker(year=str(newest))
    assert at.selectbox[0].value == newest
    assert len(at.warning) == 1 and f"Only {counts[newest]} regions have a value for {newest}" in at.warning[0].value


def test_latest_per_region_maps_each_regions_newest_year(picker, real_db):
    at = picker(year="latest")
    frames = at.session_state["frames"]
    values = frames.values
    counts = _counts(real_db)
    assert len(values) > max(counts.values())  # more regions than any single year
    assert values["code"].is_unique and values["value"].notna().all()
    assert values["year"].nunique() > 1  # UK regions end in 2018, most others are newer
    con = db.connect(real_db)
    de = db.run_sql(
        con,
        "SELECT max(year) AS y FROM indicators WHERE indicator_id = 'eurostat.gerd_pc_gdp' AND region_code = 'DE11' "
        "AND value IS NOT NULL",
        {},
    )
    assert int(values.set_index("code").loc["DE11", "year"]) == int(de["y"].iloc[0])
    assert frames.reference_label == "median"
    assert not set(frames.no_data["code"]) & set(values["code"])
    assert at.session_state["choice"].text == "latest available year per region"


def test_coverage_rules():
    import pandas as pd

    cov = explorer.year_coverage(pd.DataFrame({"year": [2022, 2023, 2024], "n": [200, 260, 7]}), latest_regions=270)
    assert cov.default == 2023 and cov.is_thin(2024) and not cov.is_thin(2022)
    assert cov.options == ["latest", 2024, 2023, 2022]
    assert cov.label(2024) == "2024 · 7 regions (few)" and cov.label("latest") == "Latest per region · 270 regions"
    assert cov.notice(2023) is None and "Only 7 regions" in cov.notice(2024)
    half = explorer.year_coverage(pd.DataFrame({"year": [2023, 2024], "n": [100, 50]}))
    assert half.default == 2024 and half.options == [2024, 2023]  # 50% of the best is good enough; nothing to add
