"""The region dashboard's numbers: one region's key figures with ranks, its place in the distribution of the
headline indicators, its cluster portfolio in brief and what the data do not cover (no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from mapping import clusters
from mapping.countries import EU27

Query = Callable[..., pd.DataFrame]

# (figure, indicator ids in order of preference): the first id with a value for the region is shown.
HEADLINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Population", ("eurostat.population", "rci.population")),
    ("GDP per head (PPS, EU27 = 100)", ("eurostat.gdp_pps_hab_eu",)),
    ("Employment rate", ("eurostat.employment_rate",)),
    ("R&D expenditure (% of GDP)", ("eurostat.gerd_pc_gdp",)),
    ("Regional Innovation Index", ("ris2025.0", "ris.0")),
)
# Figures whose EU distribution and trend the dashboard draws (population is a size, not a performance).
DRAWN = ("GDP per head (PPS, EU27 = 100)", "Employment rate", "R&D expenditure (% of GDP)", "Regional Innovation Index")
KEY_COLUMNS = ["figure", "indicator_id", "label", "unit", "year", "value", "flag", "rank", "n", "rank_eu", "n_eu",
               "rank_country", "n_country", "source_id", "held_by"]  # fmt: skip
BRIEF_SECTORS = 10
BRIEF_OPPORTUNITIES = 5
RANK_NOTE = (
    "Rank 1 = best (largest for population) among the regions of the same NUTS level with a value that year: in the "
    "EU (the 27 member states), in the country, and for a region outside the EU among all the regions the source "
    "covers."
)


@dataclass(frozen=True)
class Place:
    """Where a region is: its code, name, NUTS level and version, country and map key."""

    code: str
    name: str
    level: int
    country: str
    nuts_version: str

    @property
    def key(self) -> str:
        return f"{self.code}|{self.nuts_version}"

    @property
    def title(self) -> str:
        return f"{self.name} ({self.code})"


def place_of(lookup: pd.DataFrame, code: str) -> Place | None:
    """The region ``code`` as the lookup holds it (its latest NUTS version), or None for an unknown code."""
    rows = lookup[(lookup["code"] == code) & ~lookup["is_unit"].astype(bool)].sort_values("nuts_version")
    if rows.empty:
        return None
    row = rows.iloc[-1]
    return Place(code, str(row["name"]), int(row["level"]), str(row["country"]), str(row["nuts_version"]))


def region_options(lookup: pd.DataFrame) -> dict[str, str]:
    """Every NUTS 1-3 region (not the statistical units of older tables): code -> name, by code."""
    rows = lookup[lookup["level"].between(1, 3) & ~lookup["is_unit"].astype(bool)]
    rows = rows.sort_values(["code", "nuts_version"]).drop_duplicates("code", keep="last")
    return dict(zip(rows["code"], rows["name"], strict=True))


def unit_member(lookup: pd.DataFrame, code: str) -> tuple[str, str] | None:
    """For a statistical unit of an older table (PL12, which NUTS 2016 split into PL91 and PL92), its first member
    region and the unit's name; None for anything else. Other pages hand such a unit on in their links."""
    rows = lookup[lookup["code"] == code]
    if rows.empty or not rows["is_unit"].astype(bool).all():
        return None
    members = [m for m in str(rows["members"].iloc[0]).split("+") if m]
    known = set(lookup.loc[~lookup["is_unit"].astype(bool), "code"])
    first = next((m for m in members if m in known), None)
    return (first, str(rows["name"].iloc[0])) if first else None


def parents(code: str) -> list[str]:
    """The NUTS regions that contain ``code``, nearest first, down to the country (DE111 -> DE11, DE1, DE)."""
    return [code[:n] for n in range(len(code) - 1, 1, -1)]


def units_containing(lookup: pd.DataFrame, code: str) -> list[tuple[str, str]]:
    """The statistical units of older tables that hold ``code`` (PL91 lies in PL12, NUTS 2013): (code, name)."""
    units = lookup[lookup["is_unit"].astype(bool)]
    return [
        (str(u), str(n))
        for u, n, m in zip(units["code"], units["name"], units["members"], strict=True)
        if code in str(m).split("+")
    ]


def key_figures(query: Query, region: str) -> pd.DataFrame:
    """One row per headline figure: its first indicator with a value for ``region``, in the latest well-covered
    year (``region_key_figures``), with ranks in the EU and the country. A figure the sources publish only for a
    larger region (the RIS for all of France's regions at NUTS 1) takes that region's value, named in ``held_by``
    and without ranks; a figure without any value has a row with ``value`` NaN (said, not hidden)."""
    wanted = [i for _, ids in HEADLINE for i in ids]
    found = query("region_key_figures", region=region, indicators=wanted, eu=list(EU27)).set_index("indicator_id")
    rows = []
    for figure, ids in HEADLINE:
        hit = next((i for i in ids if i in found.index), None)
        if hit is None:
            rows.append({"figure": figure, "indicator_id": ids[0], "value": float("nan")})
        else:
            rows.append({"figure": figure, "indicator_id": hit, **found.loc[hit].to_dict()})
    for parent in parents(region):
        gaps = [r for r in rows if pd.isna(r["value"])]
        if not gaps:
            break
        held = query("region_key_figures", region=parent, indicators=wanted, eu=list(EU27)).set_index("indicator_id")
        for row in gaps:
            hit = next((x for x in dict(HEADLINE)[row["figure"]] if x in held.index), None)
            if hit is not None:
                got = held.loc[hit]
                row.update({c: got[c] for c in ("label", "unit", "year", "value", "flag", "source_id")})
                row.update(indicator_id=hit, held_by=parent)
    out = pd.DataFrame(rows).reindex(columns=KEY_COLUMNS)
    out["year"] = pd.to_numeric(out["year"]).astype("Int64")
    return out


def overall_score(board, place: Place) -> dict | None:
    """The scoreboard's overall score as a key-figure row, ranked among all scored regions, those of the EU and
    those of the country (``board``: a ``scoreboard.Scoreboard``); None when the region is not scored."""
    score = board.overall.get(place.code)
    if score is None or pd.isna(score):
        return None
    scored = board.overall.dropna()
    country = board.universe.set_index("code")["country"].reindex(scored.index)
    ranks = scored.rank(ascending=False, method="min")
    eu = scored[country.isin(EU27)].rank(ascending=False, method="min")
    own = scored[country == place.country].rank(ascending=False, method="min")
    return {
        "figure": "Overall scoreboard score (0-1)",
        "value": float(score),
        "unit": "score",
        "year": "latest per indicator",
        "rank": ranks[place.code],
        "n": len(scored),
        "rank_eu": eu.get(place.code),
        "n_eu": len(eu) if place.code in eu.index else None,
        "rank_country": own[place.code],
        "n_country": len(own),
    }


def drawn(figures: pd.DataFrame) -> pd.DataFrame:
    """The key figures whose distribution and trend the dashboard draws: performance figures with the region's own
    value (not a containing region's)."""
    return figures[figures["figure"].isin(DRAWN) & figures["value"].notna() & figures["held_by"].isna()]


def distribution(
    query: Query, figures: pd.DataFrame, level: int, regions: set[str]
) -> list[tuple[pd.Series, pd.DataFrame]]:
    """For each drawn headline figure: (its key-figure row, every region of ``level`` in ``regions`` (statistical
    units of older tables left out) with a value in that year: code, name, country, value)."""
    out = []
    for _, row in drawn(figures).iterrows():
        values = query("map_values", indicator=row["indicator_id"], year=int(row["year"]), level=level)
        values = values[values["value"].notna() & values["code"].isin(regions)]
        values = values[["code", "name", "country", "value"]].drop_duplicates("code")
        out.append((row, values.reset_index(drop=True)))
    return out


@dataclass(frozen=True)
class ClusterSetting:
    """The cluster methods' defaults the dashboard uses (the Clusters page's defaults)."""

    sector_set: str
    year: int
    base_year: int
    source_ids: tuple[str, ...]
    method: str = "observatory"

    def params(self) -> dict:
        return {"sector_set": self.sector_set, "year": self.year, "method": self.method, **clusters.DEFAULTS.params()}

    def link(self) -> dict[str, str]:
        """The Clusters page's parameters for the same view."""
        return {"set": self.sector_set, "year": str(self.year), "base": str(self.base_year), "method": self.method}


def cluster_setting(years: pd.DataFrame, sector_set: str = "division") -> ClusterSetting | None:
    """The default year of ``sector_set`` and, as the base of growth, its earliest year from the same table(s)."""
    year = clusters.default_year(years)
    if year is None:
        return None
    sources = dict(zip(years["year"], years["source_ids"], strict=True))
    same = sorted(y for y in sources if y < year and sources[y] == sources[year])
    return ClusterSetting(sector_set, int(year), int(same[0] if same else year), tuple(sources[year].split(", ")))


def portfolio_brief(portfolio: pd.DataFrame, *, n: int = BRIEF_SECTORS) -> pd.DataFrame:
    """The starred sectors (most stars, then most persons), at most ``n``; breaks in series are kept."""
    starred = portfolio[portfolio["stars"].fillna(0) >= 1]
    cols = ["nace", "label", "persons", "lq", "stars", "growth", "series_break"]
    return starred.sort_values(["stars", "persons"], ascending=[False, False])[cols].head(n).reset_index(drop=True)


def missing(figures: pd.DataFrame, **parts: bool) -> list[str]:
    """Plain sentences naming what this region's dashboard cannot show (``parts``: section name -> present)."""
    out = []
    for _, r in figures.iterrows():
        if pd.isna(r["value"]):
            out.append(f"{r['figure']}: no value published for this region or a region containing it.")
        elif pd.notna(r.get("held_by")):
            out.append(f"{r['figure']}: published for {r['held_by']}, which contains this region; shown without rank.")
    out += [f"{name}: not available for this region." for name, present in parts.items() if not present]
    return out
