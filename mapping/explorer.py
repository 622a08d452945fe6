"""The map explorer's logic: which indicators, levels and years can be shown, and the frames a map
draws. Functions take a ``query`` callable (``name, **params -> DataFrame``) so the app passes its
cached gate and tests pass the plain one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from mapping.countries import EU27
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
# The year choice that maps each region's latest year with a value.
LATEST = "latest"
# A year has good coverage when at least this share of the best year's regions have a value.
GOOD_COVERAGE = 0.5


@dataclass(frozen=True)
class YearCoverage:
    """The years of an indicator at a level with the number of regions that have a value in each."""

    regions: dict[int, int]  # year -> regions with a value, newest first
    latest_regions: int = 0  # regions with a value in some year (the 'latest per region' map)
    share: float = GOOD_COVERAGE

    @property
    def best(self) -> int:
        return max(self.regions.values(), default=0)

    def is_thin(self, year: object) -> bool:
        """True for a year whose regions fall short of ``share`` of the best year's."""
        return year in self.regions and self.regions[year] < self.share * self.best

    @property
    def default(self) -> int | None:
        """The latest year with good coverage (at least ``share`` of the best year's regions)."""
        good = [y for y, n in self.regions.items() if not self.is_thin(y)]
        return max(good) if good else None

    @property
    def options(self) -> list[object]:
        """'Latest per region' (when it shows more regions than the default year does), then the years, newest
        first."""
        years: list[object] = list(self.regions)
        default = self.default
        if default is not None and self.latest_regions > self.regions[default]:
            return [LATEST, *years]
        return years

    def label(self, year: object) -> str:
        if year == LATEST:
            return f"Latest per region · {self.latest_regions:,} regions"
        n = self.regions.get(year, 0)  # type: ignore[arg-type]
        return f"{year} · {n:,} region{'s' if n != 1 else ''}" + (" (few)" if self.is_thin(year) else "")

    def help(self) -> str:
        return (
            "Each year shows the number of regions with a value at this level. The default is the latest year in "
            f"which at least {self.share:.0%} as many regions have a value as in the best-covered year; newer years "
            "with fewer regions are marked (few). 'Latest per region' maps each region's newest value and names its "
            "year in the hover and the table."
        )

    def notice(self, year: object) -> str | None:
        """A warning for a year with thin coverage, naming the better year."""
        if not self.is_thin(year):
            return None
        best_year = max(self.regions, key=lambda y: (self.regions[y], y))
        return (
            f"Only {self.regions[year]:,} regions have a value for {year} (the best-covered year, {best_year}, has "
            f"{self.best:,}): most of the map is grey. {self.default} is the latest year with good coverage; "
            "'Latest per region' shows each region's newest value."
        )


def year_coverage(years: pd.DataFrame, *, latest_regions: int = 0, share: float = GOOD_COVERAGE) -> YearCoverage:
    """``indicator_years`` rows (year, n) as a :class:`YearCoverage`."""
    ordered = years.sort_values("year", ascending=False)
    regions = {int(y): int(n) for y, n in zip(ordered["year"], ordered["n"], strict=True)}
    return YearCoverage(regions, latest_regions, share)


def year_text(year: object) -> str:
    """A year for titles and captions ('latest available per region' for the latest choice)."""
    return "latest available year per region" if year == LATEST else str(year)


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
    query: Query, *, indicator: str, year: int | str, level: int, nuts_version: str, country: str | None = None
) -> MapFrames:
    """The frames of a map; ``year`` may be :data:`LATEST` (each region's latest year with a value, in ``year``)."""
    if year == LATEST:
        values = query("map_values_latest", indicator=indicator, level=level)
        no_data = query("map_nodata_latest", indicator=indicator, level=level, nuts_version=base_version(nuts_version))
        if country:
            values = values[values["country"] == country]
            no_data = no_data[no_data["country"] == country]
        known = values["value"].dropna()  # the years differ: no single EU aggregate applies
        return MapFrames(values, no_data, float(known.median()) if len(known) else None, "median")
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
    return query("region_key_figures", region=region, indicators=wanted, eu=list(EU27))
