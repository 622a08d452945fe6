"""Pickers shared by pages: an indicator picker grouped by source, bound to the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from mapping import clusters, explorer
from mapping.ui import data, state


def indicator_picker(
    catalog: pd.DataFrame, *, group_container: Any, indicator_container: Any, default: str = explorer.DEFAULT_INDICATOR
) -> str:
    """Source group, then indicator (``?indicator=``). The group follows a linked indicator.

    ``catalog`` is indexed by indicator_id.
    """
    groups = explorer.groups(catalog)
    url_indicator = st.query_params.get("indicator")
    fresh = url_indicator != st.session_state.get("_url_last_indicator") or "w_source_group" not in st.session_state
    if url_indicator in catalog.index and fresh:
        st.session_state["w_source_group"] = explorer.group_of(catalog.loc[url_indicator, "source_id"])
    if default not in catalog.index:
        default = catalog.index[0]
    st.session_state.setdefault("w_source_group", explorer.group_of(catalog.loc[default, "source_id"]))
    if st.session_state["w_source_group"] not in groups:
        st.session_state["w_source_group"] = groups[0]
    # see state._put: keys are shared across pages
    st.session_state["w_source_group"] = st.session_state["w_source_group"]
    if state.is_present():
        group = st.session_state["w_source_group"]
    else:
        group = group_container.selectbox("Source", groups, key="w_source_group")
    return state.choice(
        "Indicator",
        explorer.indicators_in(catalog, group),
        param="indicator",
        default=default,
        format_func=lambda i: explorer.indicator_label(catalog.loc[i]),
        container=indicator_container,
    )


@dataclass(frozen=True)
class YearChoice:
    year: int | str | None  # a year, explorer.LATEST, or None when the indicator has no value at the level
    coverage: explorer.YearCoverage

    @property
    def text(self) -> str:
        """For titles and captions."""
        return explorer.year_text(self.year)

    def warn(self, container: Any = None) -> None:
        """A warning under the controls when the chosen year has thin coverage."""
        message = self.coverage.notice(self.year)
        if message and not state.is_present():
            (container or st).warning(message, icon=":material/grid_off:")


def year_picker(indicator: str, level: int, *, container: Any = None) -> YearChoice:
    """``?year=``: the years of ``indicator`` at ``level`` labelled with their coverage ("2024 · 7 regions (few)"),
    the latest well-covered year by default (see explorer.YearCoverage), and 'Latest per region'
    (``?year=latest``)."""
    years = data.query("indicator_years", indicator=indicator, level=level)
    latest = len(data.query("map_values_latest", indicator=indicator, level=level)) if len(years) > 1 else 0
    coverage = explorer.year_coverage(years, latest_regions=latest)
    year = state.choice(
        "Year",
        coverage.options,
        param="year",
        default=coverage.default,
        format_func=coverage.label,
        container=container,
        help=coverage.help(),
    )
    return YearChoice(year, coverage)


def default_level(lookup: pd.DataFrame, levels: list[int]) -> int:
    """The level of a linked region when the indicator has it, else NUTS 2, else the finest level."""
    region_levels = lookup.loc[lookup["code"] == st.query_params.get("region"), "level"].tolist()
    if region_levels and region_levels[0] in levels:
        return region_levels[0]
    return 2 if 2 in levels else levels[-1]


@dataclass(frozen=True)
class Overlay:
    nace: str
    frame: pd.DataFrame
    caption: str


def cluster_overlay_picker(*, container: Any) -> Overlay | None:
    """``?overlay=<NACE division>``: starred regions (Observatory stars, default thresholds, SBS latest full
    year) drawn over the map."""
    year = clusters.default_year(data.query("cluster_years", sector_set="division"))
    if year is None:  # no regional employment data in this build: no overlay to offer
        return None
    sectors = data.query("cluster_sectors", sector_set="division", year=year)
    labels = dict(zip(sectors["nace"], sectors["label"], strict=True))
    nace = state.choice(
        "Cluster overlay",
        ["", *labels],
        param="overlay",
        default="",
        container=container,
        format_func=lambda c: f"{c} · {labels[c]}" if c else "none",
    )
    if not nace:
        return None
    frame = data.query(
        "cluster_sector_view",
        sector_set="division",
        nace=nace,
        year=year,
        method="observatory",
        **clusters.DEFAULTS.params(),
    )
    rule = clusters.DEFAULTS.rule("observatory")
    return Overlay(
        nace,
        frame,
        f"Overlay: {nace} clusters, European Cluster Observatory stars ({rule}), "
        f"Eurostat SBS {year} (sbs_r_nuts06_r2).",
    )


def cluster_years() -> dict[str, pd.DataFrame]:
    """The cluster sector sets that have employment data, each with its years (``cluster_years``)."""
    found = {s: data.query("cluster_years", sector_set=s) for s in clusters.SECTOR_SETS}
    return {s: y for s, y in found.items() if len(y)}


def cluster_data_picker(
    available: dict[str, pd.DataFrame], *, set_box: Any, year_box: Any
) -> tuple[str, pd.DataFrame, int]:
    """The employment-data set and its year (``set=``, ``year=``): the set, its years table and the year."""
    sector_set = state.choice(
        "Employment data",
        list(available),
        param="set",
        default="division",
        format_func=lambda s: clusters.SECTOR_SETS[s]["label"],
        container=set_box,
    )
    year_table = available[sector_set]
    regions = year_table.set_index("year")["regions"]
    year = state.choice(
        "Year",
        year_table["year"].tolist(),
        param="year",
        default=clusters.default_year(year_table),
        format_func=lambda y: f"{y} ({int(regions.at[y])} regions)",
        container=year_box,
    )
    return sector_set, year_table, year


def follow_units(names: dict[str, str]) -> None:
    """A linked NUTS 2021 region that this data holds inside an older unit (e.g. PL91 in PL12) opens that unit."""
    wanted = st.query_params.get("region")
    if not wanted or wanted in names:
        return
    lookup = data.query("region_lookup")
    units = lookup[lookup["is_unit"] & lookup["code"].isin(list(names))]
    for code, members in zip(units["code"], units["members"], strict=True):
        if wanted in str(members).split("+"):
            state.notice(f"{wanted} is part of {code} ({names[code]}) in this data; showing {code}.")
            st.query_params["region"] = code
            return
