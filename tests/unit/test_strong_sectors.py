"""The strong-sector tables on hand-made cells: who is listed, with which stars, and what the summaries count."""

from __future__ import annotations

import pandas as pd

from mapping import strong_sectors as ss

REGIONS = pd.DataFrame(
    {
        "code": ["PL21", "PL22", "PL91", "DE11"],
        "name": ["Małopolskie", "Śląskie", "Warszawski stołeczny", "Stuttgart"],
        "country": ["PL", "PL", "PL", "DE"],
        "persons": [1000, 2000, 3000, 4000],
        "coverage_r": [1.0, 0.9, 0.8, 1.0],
    }
)
CELLS = pd.DataFrame(
    {
        "code": ["PL22", "PL22", "PL21", "DE11"],
        "name": ["Śląskie", "Śląskie", "Małopolskie", "Stuttgart"],
        "country": ["PL", "PL", "PL", "DE"],
        "nace": ["B05", "C24", "C24", "C29"],
        "label": ["Mining of coal", "Basic metals", "Basic metals", "Motor vehicles"],
        "stars": [3, 1, 2, 3],
        "lq": [83.05, 1.6, 2.1, 3.3],
    }
)


def test_every_region_of_the_country_is_listed_strongest_first():
    out = ss.strong_sectors(REGIONS, CELLS, country="PL").set_index("code")
    assert list(out.index) == ["PL22", "PL21", "PL91"]  # 2 sectors, 1, none
    assert out.loc["PL22", "strong_sectors"] == "B05 Mining of coal (★★★, LQ 83.05); C24 Basic metals (★, LQ 1.60)"
    assert out.loc["PL91", ["sectors", "three_star", "strong_sectors"]].tolist() == [0, 0, ""]
    assert ss.strong_sectors(REGIONS, CELLS, country="PL", min_stars=2).set_index("code").loc["PL22", "sectors"] == 1


def test_regions_by_sector_holds_the_counted_stars():
    pivot, counted = ss.regions_by_sector(CELLS, country="PL", measure="two_stars")
    assert pivot.to_dict() == {"C24": {"PL21 Małopolskie": 2}} and len(counted) == 1
    pivot, _ = ss.regions_by_sector(CELLS, country="PL", measure="starred")
    assert pivot.loc["PL22 Śląskie", "B05"] == 3 and pivot.loc["PL21 Małopolskie", "B05"] == 0


def test_countries_by_sector_drops_empty_rows_and_columns():
    summary = pd.DataFrame({"country": ["PL", "PL", "SE"], "nace": ["B05", "C24", "C24"], "starred": [2, 0, 0]})
    assert ss.countries_by_sector(summary, measure="starred").to_dict() == {"B05": {"PL": 2}}
