"""The map explorer's logic: which indicators, levels and years can be shown, and the frames a map
draws. Functions take a ``query`` callable (``name, **params -> DataFrame``) so the app passes its
cached gate and tests pass the plain one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from mapping.geo import EUROPE_BBOX, bbox_of

Query = Callable[..., pd.DataFrame]

# Picker groups: (label, predicate on source_id), in display order.
SOURCE_GROUPS: list[tuple[str, Callable[[str], bool]]] = [
    ("Eurostat regional statistics", lambda s: s.startswith("eurostat_")),
    ("Regional Innovation Scoreboard 2025", lambda s: s == "ris2025"),
    ("Regional Innovation Scoreboard 2023", lambda s: s == "ris2023"),
    ("Regional Competitiveness Index 2022", lambda s: s == "rci2022"),
    ("European Innovation Scoreboard 2025 (countries)", lambda s: s == "eis2025"),
    ("European Innovation Scoreboard 2023 (countries)", lambda s: s == "eis2023"),
]
DEFAULT_INDICATOR = "eurostat.gdp_pps_hab_eu"
# Figures shown in a region's side panel, in this order (the mapped indicator comes first).
KEY_INDICATORS = [
    "eurostat.gdp_pps_hab_eu",
    "eurostat.employment_rate",
    "eurostat.unemployment_rate",
    "eurostat.tertiary_25_64",
    "eurostat.gerd_pc_gdp",
    "ris2025.0",
    "ris.0",
    "eurostat.population",
    "rci.population",
]
LEVEL_NAMES = {0: "Countries (NUTS 0)", 1: "NUTS 1", 2: "NUTS 2", 3: "NUTS 3"}


def group_of(source_id: str) -> str:
    for label, test in SOURCE_GROUPS:
        if test(source_id):
            return label
    return "Other sources"


def groups(catalog: pd.DataFrame) -> list[str]:
    present = {group_of(s) for s in catalog["source_id"]}
    return [g for g, _ in SOURCE_GROUPS if g in present] + sorted(present - {g for g, _ in SOURCE_GROUPS})


def indicators_in(catalog: pd.DataFrame, group: str) -> list[str]:
    return [i for i, s in zip(catalog["indicator_id"], catalog["source_id"], strict=True) if group_of(s) == group]


def indicator_label(row: pd.Series) -> str:
    return f"{row['dimension']} · {row['label']}"


def levels_of(row: pd.Series) -> list[int]:
    text = row.get("levels")
    if not isinstance(text, str) or not text:
        return []
    return sorted(int(x) for x in text.split(","))


def base_version(nuts_version: str | None) -> str:
    """The NUTS version whose regions show as 'no data' under an indicator (2024 only for 2024-coded sources)."""
    return "2024" if nuts_version == "2024" else "2021"


@dataclass(frozen=True)
class MapFrames:
    values: pd.DataFrame  # regions with a row (value may be NULL: confidential)
    no_data: pd.DataFrame  # regions of the level without a row
    reference: float | None  # EU aggregate, when the source publishes one
    reference_label: str


def map_frames(
    query: Query, *, indicator: str, year: int, level: int, nuts_version: str, country: str | None = None
) -> MapFrames:
    values = query("map_values", indicator=indicator, year=year, level=level)
    no_data = query("map_nodata", indicator=indicator, year=year, level=level, nuts_version=base_version(nuts_version))
    if country:
        values = values[values["country"] == country]
        no_data = no_data[no_data["country"] == country]
    ref = query("indicator_reference", indicator=indicator, year=year)
    if len(ref) and pd.notna(ref["value"].iloc[0]):
        return MapFrames(values, no_data, float(ref["value"].iloc[0]), "EU27")
    known = values["value"].dropna()
    return MapFrames(values, no_data, float(known.median()) if len(known) else None, "median")


def country_bbox(lookup: pd.DataFrame, geometries: dict[str, dict], country: str, level: int):
    """Bounding box of a country's regions at ``level`` on the continent (outermost regions left out)."""
    x0, y0, x1, y1 = EUROPE_BBOX
    rows = lookup[(lookup["country"] == country) & (lookup["level"] == level) & ~lookup["is_unit"]]
    inside = rows[rows["lon"].between(x0, x1) & rows["lat"].between(y0, y1)]
    keys = (inside["code"] + "|" + inside["nuts_version"]).tolist()
    return bbox_of(geometries[k] for k in keys if k in geometries)


def key_figures(query: Query, region: str, indicator: str | None) -> pd.DataFrame:
    wanted = list(dict.fromkeys([*([indicator] if indicator else []), *KEY_INDICATORS]))
    return query("region_key_figures", region=region, indicators=wanted)
