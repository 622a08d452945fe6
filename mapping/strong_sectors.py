"""The regions of a country with their strong (starred) sectors: one row per region, for lists and CSV exports.

Built from ``cluster_regions`` (every NUTS 2 region with employment data in the year) and ``cluster_region_stars``
(its starred cells), so a region without a starred sector is listed too, with none.
"""

from __future__ import annotations

import pandas as pd

STAR = "★"
# The EU summary's counts: which star levels each one counts.
STARS_COUNTED = {"starred": (1, 3), "three_stars": (3, 3), "two_stars": (2, 2), "one_star": (1, 1)}
COLUMNS = ["code", "name", "country", "persons", "coverage_r", "sectors", "three_star", "strong_sectors"]


def describe_cell(nace: str, label: str, stars: int, lq: float, *, stars_shown: bool = True) -> str:
    """'C29 Manufacture of motor vehicles ... (★★★, LQ 2.41)'."""
    mark = STAR * int(stars) if stars_shown else "strong"
    lq_text = "" if pd.isna(lq) else f", LQ {lq:.2f}"
    return f"{nace} {label} ({mark}{lq_text})"


def strong_sectors(
    regions: pd.DataFrame, cells: pd.DataFrame, *, country: str | None = None, min_stars: int = 1, cmp: bool = False
) -> pd.DataFrame:
    """One row per region (of ``country`` when given): its sectors with at least ``min_stars`` stars, strongest first.

    Args:
        regions: ``cluster_regions`` rows (code, name, country, persons, coverage_r).
        cells: ``cluster_region_stars`` rows (code, nace, label, stars, lq).
        cmp: the method is CMP (a cell is strong or not; ``min_stars`` is ignored and no star marks are shown).

    Returns:
        code, name, country, persons (employment in the sector set), coverage_r (share of sectors with a published
        value), sectors (count listed), three_star (count with 3 stars), strong_sectors ("; "-separated text),
        ordered by country, then most strong sectors first.
    """
    if country:
        regions = regions[regions["country"] == country]
        cells = cells[cells["country"] == country]
    kept = cells[cells["stars"] >= (1 if cmp else min_stars)].sort_values(
        ["code", "stars", "lq"], ascending=[True, False, False]
    )
    text = kept.assign(
        item=[
            describe_cell(n, lab, s, lq, stars_shown=not cmp)
            for n, lab, s, lq in zip(kept["nace"], kept["label"], kept["stars"], kept["lq"], strict=True)
        ]
    ).groupby("code")
    out = regions[["code", "name", "country", "persons", "coverage_r"]].copy()
    out["sectors"] = out["code"].map(text.size()).fillna(0).astype(int)
    out["three_star"] = out["code"].map(kept[kept["stars"] >= 3].groupby("code").size()).fillna(0).astype(int)
    out["strong_sectors"] = out["code"].map(text["item"].agg("; ".join)).fillna("")
    if cmp:
        out["three_star"] = 0
    return out.sort_values(["country", "sectors", "code"], ascending=[True, False, True])[COLUMNS].reset_index(
        drop=True
    )


def regions_by_sector(cells: pd.DataFrame, *, country: str, measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A country's regions x sectors, each counted cell holding its stars (0 where none), and the cells counted.

    Args:
        cells: ``cluster_region_stars`` rows (code, name, country, nace, stars).
        measure: a key of ``STARS_COUNTED``.
    """
    low, high = STARS_COUNTED[measure]
    mine = cells[(cells["country"] == country) & cells["stars"].between(low, high)]
    label = [n if n.startswith(c) else f"{c} {n}" for c, n in zip(mine["code"], mine["name"], strict=True)]
    pivot = mine.assign(region=label).pivot_table(
        index="region", columns="nace", values="stars", aggfunc="max", fill_value=0
    )
    return pivot, mine


def countries_by_sector(summary: pd.DataFrame, *, measure: str) -> pd.DataFrame:
    """Countries x sectors, the ``measure`` count of starred cells; rows and columns without any left out."""
    pivot = summary.pivot_table(index="country", columns="nace", values=measure, aggfunc="sum", fill_value=0)
    return pivot.loc[pivot.sum(axis=1) > 0, pivot.sum(axis=0) > 0]
