"""Cluster specialisation: location quotients, star ratings and their sensitivity.

The computation itself is SQL (the ``cluster_cells`` table macro in ``mapping/ingest/macros.sql``).
This module holds the method descriptions and parameters, helpers around the queries, and an
independent pandas implementation of the same definitions, used to check the SQL on the full data
and as the benchmark's comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

Query = Callable[..., pd.DataFrame]

# The sector sets of the cluster methods (``cluster_input`` in mapping/ingest/macros.sql defines the same).
# The regional SBS tables: sbs_r_nuts06_r2 (to 2020) and sbs_r_nuts2021 (from 2021) - a change of table is a
# break in series; the 2022 manufacturing extract stands in for sbs_r_nuts2021 where the whole table is absent.
SBS_SOURCES = ("eurostat_sbs_r_nuts06_r2", "eurostat_sbs_r_nuts2021")
SECTOR_SETS = {
    "division": {
        "label": "NACE divisions, business economy (SBS)",
        "source_ids": SBS_SOURCES,
        "level": "division",
        "parent": None,
        "note": "persons employed in the business economy (NACE B-N without K, plus S95); older NUTS codes placed on "
        "NUTS 2021; sbs_r_nuts06_r2 to 2020, sbs_r_nuts2021 from 2021 (a break in series)",
    },
    "section": {
        "label": "NACE sections, business economy (SBS)",
        "source_ids": SBS_SOURCES,
        "level": "section",
        "parent": None,
        "note": "12 NACE sections B-N without K; sbs_r_nuts06_r2 to 2020, sbs_r_nuts2021 from 2021 (a break in series)",
    },
    "manufacturing": {
        "label": "Manufacturing divisions C10-C33 (SBS)",
        "source_ids": (*SBS_SOURCES, "eurostat_sbs_r_nuts2021_manuf"),
        "level": "division",
        "parent": "C",
        "note": "persons employed in manufacturing divisions; LQs within manufacturing; the 2022 extract of "
        "sbs_r_nuts2021 has no local units or wages",
    },
}
# Links made before the sets covered every year keep working.
SET_ALIASES = {"manuf2022": "manufacturing"}
# Where two tables publish the same cell, the newer table wins (they should not overlap).
SOURCE_PRIORITY = {"eurostat_sbs_r_nuts2021": 0, "eurostat_sbs_r_nuts06_r2": 1, "eurostat_sbs_r_nuts2021_manuf": 2}

METHODS = {
    "observatory": {
        "label": "European Cluster Observatory stars",
        "rule": "one star each for size (top {top_pct:g}% of regions by employment in the sector), specialisation "
        "(LQ >= {spec_lq:g}) and focus (top {top_pct:g}% by the sector's share of the region's employment)",
    },
    "panorama": {
        "label": "Panorama-style stars (size, specialisation, productivity)",
        "rule": "one star each for size (top {top_pct:g}% by employment), specialisation (LQ >= {spec_lq:g}) and "
        "productivity (top {top_pct:g}% by wages and salaries per person employed)",
    },
    "cmp": {
        "label": "U.S. Cluster Mapping 'strong cluster'",
        "rule": "LQ at or above the {cmp_lq_pct:g}th percentile and LQ >= 1, employment and local units above the "
        "{cmp_size_pct:g}th percentile, among regions with employment > 0 in the sector and year",
    },
}

PERCENTILE_RULE = (
    "Percentile rank = round(100 / n x (rank - 0.5)), rank ascending (ties share the lowest rank) among the n regions "
    "with employment > 0 in that sector and year."
)
LQ_RULE = (
    "LQ = (E_rs / E_r) / (E_s / E). E_r, E_s and E sum the cells of the same sector set and year that have a known "
    "value; confidential cells are unknown, not zero. Coverage = known sector cells of the region / sectors in the set."
)

COVERAGE_RULE = (
    "region-years with a published value for fewer than {pct:.0f}% of the set's sectors are left out (no LQ, rank or "
    "star; not in the EU totals): their few cells are fragments"
)


@dataclass(frozen=True)
class Thresholds:
    """The parameters of the star methods (defaults as in the issue's anchors)."""

    spec_lq: float = 2.0
    top_pct: float = 10.0
    cmp_lq_pct: float = 75.0
    cmp_size_pct: float = 25.0
    min_coverage: float = 0.5  # region-years with fewer known sector cells are left out (see COVERAGE_RULE)

    def params(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}{k}": float(v) for k, v in asdict(self).items()}

    def rule(self, method: str) -> str:
        return METHODS[method]["rule"].format(**asdict(self)) + "; " + COVERAGE_RULE.format(pct=100 * self.min_coverage)


DEFAULTS = Thresholds()
# The levels of the coverage rule a user can choose: the build precomputes the percentile ranks of every cell at each
# (mapping/ingest/cluster_ranks.py), so cluster_cells accepts no other value.
COVERAGE_LEVELS = (0.0, 0.25, 0.5, 0.75)
# Which threshold a user can move in the sensitivity view, with a sensible sweep.
SWEEPS = {
    "spec_lq": ("LQ threshold for the specialisation star", np.round(np.arange(1.0, 3.01, 0.25), 2)),
    "top_pct": ("Top share (%) for size / focus / productivity stars", np.array([5.0, 7.5, 10.0, 12.5, 15.0, 20.0])),
    "cmp_lq_pct": ("CMP: LQ percentile", np.array([50.0, 60.0, 70.0, 75.0, 80.0, 90.0])),
    "cmp_size_pct": ("CMP: employment and local-units percentile", np.array([10.0, 20.0, 25.0, 30.0, 40.0, 50.0])),
    "min_coverage": ("Coverage rule: share of the sectors with a value", np.array(COVERAGE_LEVELS)),
}


def threshold_curve(
    query: Query, *, sector_set: str, year: int, method: str, base: Thresholds, param: str
) -> pd.DataFrame:
    """Cells with >= 1, >= 2 and 3 stars as one threshold moves over its sweep (others at ``base``).

    One query (``cluster_sweep``) for a threshold the stars compare against; the coverage rule changes the cells
    themselves (which region-years count, hence every rank), so its few levels are counted one by one.
    """
    values = [float(v) for v in SWEEPS[param][1]]
    if param != "min_coverage":
        return query(
            "cluster_sweep", sector_set=sector_set, year=year, method=method, param=param, values=values,
            **base.params(),
        )[["value", "at_least_1", "at_least_2", "three"]]  # fmt: skip
    return pd.DataFrame([star_counts(query, sector_set=sector_set, year=year, method=method,
                                     thr=replace(base, min_coverage=v)) | {"value": v} for v in values])[
        ["value", "at_least_1", "at_least_2", "three"]
    ]  # fmt: skip


def star_counts(query: Query, *, sector_set: str, year: int, method: str, thr: Thresholds) -> dict[str, int]:
    """Cells of a year with >= 1, >= 2 and 3 stars under one set of thresholds (``cluster_star_counts``)."""
    counts = query("cluster_star_counts", sector_set=sector_set, year=year, method=method, **thr.params())
    by = dict(zip(counts["stars"].fillna(-1).astype(int), counts["cells"], strict=True))
    return {
        "at_least_1": sum(n for s, n in by.items() if s >= 1),
        "at_least_2": sum(n for s, n in by.items() if s >= 2),
        "three": by.get(3, 0),
    }


def default_year(years: pd.DataFrame, share: float = 0.8) -> int | None:
    """The latest year whose known cells (region x sector, ``cells``) reach ``share`` of the best year's.

    Eurostat's newest year is often published for a few countries first (2015: 167 regions against 282 in 2014),
    and a table may publish only some sectors in a year; such a year is offered but not chosen by default.
    """
    column = "cells" if "cells" in years else "regions"
    if years.empty or years[column].max() <= 0:
        return None
    return int(years.loc[years[column] >= share * years[column].max(), "year"].max())


def set_of(value: str | None) -> str | None:
    """A sector set named in a link, old names included."""
    return SET_ALIASES.get(value, value) if value else value


def quadrant(lq: float, growth: float | None) -> str:
    """Portfolio quadrants: specialised (LQ >= 1) x growing (CAGR >= 0)."""
    if growth is None or pd.isna(growth) or pd.isna(lq):
        return "growth unknown"
    if lq >= 1:
        return "specialised, growing" if growth >= 0 else "specialised, shrinking"
    return "emerging (not specialised, growing)" if growth >= 0 else "not specialised, shrinking"


# --------------------------------------------------------------------------- independent pandas implementation


def _pct(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """round(100 / n * (rank - 0.5)) with rank ascending, ties at the lowest rank, NaNs excluded."""
    ranks = values.groupby(groups).rank(method="min")
    n = values.notna().groupby(groups).transform("sum")
    raw = 100.0 / n * (ranks - 0.5)
    # SQL rounds halves away from zero; numpy rounds them to even.
    return np.floor(raw + 0.5).where(ranks.notna())


def reference_cells(
    employment: pd.DataFrame, regions: pd.DataFrame, nace: pd.DataFrame, *, sector_set: str, thr: Thresholds = DEFAULTS
) -> pd.DataFrame:
    """The ``cluster_cells`` definitions computed with pandas, from the raw tables.

    Args:
        employment: the ``employment`` table (region_code, nuts_version, nace, year, persons, local_units,
            wages_meur, flag, source_id).
        regions: ``regions`` (code, nuts_version, level, country).
        nace: ``nace`` (code, level, parent).
    """
    spec = SECTOR_SETS[sector_set]
    reg2 = regions[regions["level"] == 2][["code", "nuts_version", "country"]].rename(columns={"code": "region_code"})
    in_set = nace["level"] == spec["level"]
    if spec["parent"]:
        in_set &= nace["parent"] == spec["parent"]
    codes = set(nace.loc[in_set, "code"])
    c = employment[employment["source_id"].isin(spec["source_ids"]) & employment["nace"].isin(codes)]
    c = c.merge(reg2, on=["region_code", "nuts_version"])
    c = (
        c.assign(_prio=c["source_id"].map(SOURCE_PRIORITY))
        .sort_values("_prio", kind="stable")
        .drop_duplicates(["region_code", "nuts_version", "nace", "year"])
        .drop(columns="_prio")
    )
    key_r = [c["year"], c["region_code"], c["nuts_version"]]
    known = c["persons"].notna().groupby(key_r).transform("sum")
    n_sectors = c["nace"].groupby(c["year"]).transform("nunique")
    c = c[known >= thr.min_coverage * n_sectors].assign(n_sectors=n_sectors)  # the coverage rule
    key_r = [c["year"], c["region_code"], c["nuts_version"]]
    key_s = [c["year"], c["nace"]]
    c = c.assign(
        e_r=c["persons"].groupby(key_r).transform("sum"),
        e_s=c["persons"].groupby(key_s).transform("sum"),
        e_all=c["persons"].groupby(c["year"]).transform("sum"),
        known_r=c["persons"].notna().groupby(key_r).transform("sum"),
    )
    c["share_r"] = c["persons"] / c["e_r"].replace(0, np.nan)
    c["lq"] = c["share_r"] / (c["e_s"] / c["e_all"]).replace(0, np.nan)
    c["wage_per_person"] = c["wages_meur"] * 1e6 / c["persons"].replace(0, np.nan)
    c["coverage_r"] = c["known_r"] / c["n_sectors"]
    active = c["persons"] > 0
    a = c[active]
    groups = [a["year"], a["nace"]]
    c.loc[active, "size_pct"] = _pct(a["persons"], groups)
    c.loc[active, "share_pct"] = _pct(a["share_r"], groups)
    c.loc[active, "lq_pct"] = _pct(a["lq"], groups)
    c.loc[active, "units_pct"] = _pct(a["local_units"], groups)
    c.loc[active, "wage_pct"] = _pct(a["wage_per_person"], groups)
    top = 100 - thr.top_pct
    c["star_size"] = (c["size_pct"] >= top).fillna(False).astype(bool)
    c["star_spec"] = (c["lq"] >= thr.spec_lq).fillna(False).astype(bool)
    c["star_focus"] = (c["share_pct"] >= top).fillna(False).astype(bool)
    c["star_prod"] = (c["wage_pct"] >= top).fillna(False).astype(bool)
    c["stars_observatory"] = c[["star_size", "star_spec", "star_focus"]].sum(axis=1)
    c["stars_panorama"] = c[["star_size", "star_spec", "star_prod"]].sum(axis=1)
    strong = (
        (c["lq_pct"] >= thr.cmp_lq_pct)
        & (c["lq"] >= 1)
        & (c["size_pct"] > thr.cmp_size_pct)
        & (c["units_pct"] > thr.cmp_size_pct)
    ).fillna(False)
    has_units = (active & c["local_units"].notna()).groupby(key_s).transform("sum") > 0
    c["cmp_strong"] = strong.where(has_units)
    return c
