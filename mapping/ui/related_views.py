"""The four views of the related-sectors page (Streamlit helpers; the methods are in mapping/relatedness.py and the
sector_proximity / relatedness_density macros)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from mapping import export, provenance, related_charts, relatedness
from mapping.formatting import fmt
from mapping.relatedness import Complexity
from mapping.ui import data, pickers, state, tables
from mapping.ui.cache import per_build
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height, region_dashboard_link
from mapping.ui.tables import Col

TABS = {"network": "Sector network", "region": "Region", "sector": "Sector", "groups": "Related-industry groups"}
OPPORTUNITY_COLUMNS = {
    "sector": Col("NACE"),
    "label": Col("Sector"),
    "density": Col("Relatedness density", decimals=1, help="0-100: how much of what is related the region holds"),
    "complexity": Col("Sector complexity", decimals=2, help="Standardised; blank: too few specialised regions"),
    "related_held": Col("Why: related sectors the region holds (proximity)"),
    "lq": Col("LQ now", decimals=2),
    "persons": Col("Persons employed", decimals=0),
}
REGION_COLUMNS = {
    "region_code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "specialised": Col("Specialised in this sector"),
    "lq": Col("LQ", decimals=2),
    "held": Col("Related sectors held", decimals=0),
    "related": Col("Which (of the 10 most related)"),
}
GROUP_COLUMNS = {
    "group": Col("Group", decimals=0),
    "size": Col("Sectors", decimals=0),
    "sectors": Col("NACE divisions"),
    "cells": Col("Regions with a strong cluster", decimals=0),
}
CLUSTER_COLUMNS = {
    "region_code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "group": Col("Group", decimals=0),
    "held": Col("Specialised sectors of the group", decimals=0),
    "group_size": Col("Sectors in the group", decimals=0),
    "sectors": Col("Which"),
    "persons": Col("Persons employed in them", decimals=0),
}


@dataclass(frozen=True)
class Related:
    """Everything the views draw for one sector set and year (cached per build)."""

    proximity: pd.DataFrame
    density: pd.DataFrame
    cx: Complexity
    layout: pd.DataFrame
    sectors: pd.DataFrame  # sector, label, persons (all regions), regions specialised


@per_build(max_entries=32)
def analysis(sector_set: str, year: int) -> Related:
    prox = data.query("related_proximity", sector_set=sector_set, year=year)
    dens = data.query("related_density", sector_set=sector_set, year=year)
    sectors = (
        dens.groupby(["sector", "label"], as_index=False)
        .agg(persons=("persons", "sum"), specialised=("specialised", "sum"))
        .sort_values("sector")
    )
    return Related(prox, dens, relatedness.complexity(dens), relatedness.layout(prox), sectors)


@per_build(max_entries=64)
def sector_groups(sector_set: str, year: int, resolution: float) -> pd.DataFrame:
    return relatedness.groups(analysis(sector_set, year).proximity, resolution=resolution)


@dataclass(frozen=True)
class Context:
    sector_set: str
    year: int
    sources: tuple[str, ...]

    def caption(self, extra: str = "") -> str:
        return provenance.caption(data.sources(), list(self.sources), years=str(self.year), extra=extra)


def region_picker(rel: Related, *, container=None) -> str:
    names = rel.density.drop_duplicates("region_code").set_index("region_code")["name"].to_dict()
    pickers.follow_units(names)
    default = "DE11" if "DE11" in names else next(iter(names))
    return state.choice(
        "Region",
        list(names),
        param="region",
        default=default,
        format_func=lambda c: f"{c} {names[c]}",
        container=container,
    )


def sector_picker(rel: Related, *, container=None) -> str:
    labels = dict(zip(rel.sectors["sector"], rel.sectors["label"], strict=True))
    default = "C29" if "C29" in labels else next(iter(labels))
    return state.choice(
        "Sector",
        list(labels),
        param="sector",
        default=default,
        format_func=lambda c: f"{c} · {labels[c]}",
        container=container,
    )


def _csv(frame: pd.DataFrame, columns: dict[str, Col], *, name: str, key: str, label: str) -> None:
    """A CSV of ``frame`` with the table's column labels, made on click (formula-guarded by export.to_csv)."""
    labelled = frame[[c for c in columns if c in frame.columns]].rename(
        columns={c: k.label for c, k in columns.items()}
    )
    st.download_button(
        label,
        data=lambda: export.to_csv(labelled),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",
        key=key,
    )


def _nodes(rel: Related) -> pd.DataFrame:
    return rel.layout.merge(rel.sectors, on="sector")


def _edges(rel: Related, threshold: float) -> pd.DataFrame:
    p = rel.proximity
    return p[(p["sector_a"] < p["sector_b"]) & (p["proximity"] >= threshold)]


def network_view(ctx: Context, rel: Related, *, threshold: float, resolution: float) -> None:
    c1, c2 = st.columns([2, 3])
    by = state.choice(
        "Colour",
        ["region", "group"],
        param="by",
        default="region",
        widget="segmented_control",
        format_func={"region": "A region's specialisation", "group": "Related-industry group"}.get,
        container=c1,
    )
    nodes = _nodes(rel)
    edges = _edges(rel, threshold)
    if by == "region":
        region = region_picker(rel, container=c2)
        mine = rel.density[rel.density["region_code"] == region].set_index("sector")["specialised"]
        status = mine.map({True: "specialised", False: "not specialised"}).reindex(nodes["sector"])
        nodes = nodes.assign(status=status.fillna("unknown").to_numpy())
        name = rel.density.loc[rel.density["region_code"] == region, "name"].iloc[0]
        title = f"Sector network, {ctx.year}: the sectors {name} ({region}) is specialised in"
        colour = "status"
    else:
        nodes = nodes.merge(sector_groups(ctx.sector_set, ctx.year, resolution), on="sector")
        title = f"Sector network, {ctx.year}: related-industry groups"
        colour = "group"
    counts = (
        f"{len(nodes)} sectors, {len(edges)} links with proximity >= {threshold:g} (of "
        f"{int((rel.proximity['proximity'] > 0).sum() / 2)} pairs with any co-location). Node area = persons "
        "employed in all regions; the layout is computed once per data set and year (fixed seed)."
    )
    fig = related_charts.network(nodes, edges, colour=colour, height=figure_height())
    figure_card(
        fig,
        title=title,
        data=nodes.drop(columns=["x", "y"]),
        key="rel_network",
        caption=ctx.caption(f"{counts} {relatedness.DENSITY_RULE}"),
    )


def region_view(ctx: Context, rel: Related) -> None:
    region = region_picker(rel)
    mine = rel.density[rel.density["region_code"] == region].merge(
        rel.cx.sectors[["sector", "complexity", "flagged"]], on="sector"
    )
    name = mine["name"].iloc[0]
    region_dashboard_link(region, name)
    regions = rel.cx.regions.set_index("region_code")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Specialised sectors (LQ >= 1)", int(mine["specialised"].fillna(False).sum()))
    m2.metric("Sectors with a published value", f"{int(mine['persons'].notna().sum())} of {len(mine)}")
    z = regions["complexity"].get(region)
    m3.metric("Region complexity (standardised)", "n/a" if z is None or pd.isna(z) else f"{z:+.2f}")
    ranked = regions["complexity"].rank(ascending=False)
    m4.metric(
        "Complexity rank",
        "n/a"
        if region not in ranked or pd.isna(ranked[region])
        else f"{int(ranked[region])} of {int(ranked.notna().sum())}",
    )
    flagged = mine[mine["flagged"]]
    fig = related_charts.relatedness_complexity(mine, height=figure_height())
    figure_card(
        fig,
        title=f"Relatedness and complexity of the sectors of {name} ({region}), {ctx.year}",
        data=mine,
        key="rel_diagram",
        caption=ctx.caption(
            "Bubble area = persons employed in the region. Right = closely related to what the region holds; "
            f"top = complex. {len(flagged)} sector(s) with too few specialised regions are not drawn. "
            f"{relatedness.DENSITY_RULE}"
        ),
    )
    opp = relatedness.opportunities(rel.density, rel.proximity, rel.cx, region)
    st.markdown("**Diversification opportunities**: sectors the region is not specialised in, most related first")
    tables.table(opp.head(20), OPPORTUNITY_COLUMNS)
    _csv(
        opp,
        OPPORTUNITY_COLUMNS,
        name=f"opportunities-{region}-{ctx.sector_set}-{ctx.year}",
        key="rel_opp_csv",
        label="All opportunities (CSV)",
    )
    with st.expander("Method", icon=":material/functions:"):
        st.markdown(
            f"{relatedness.DENSITY_RULE}\n\n{relatedness.COMPLEXITY_RULE.format(min_regions=rel.cx.min_regions)}"
        )


def sector_view(ctx: Context, rel: Related) -> None:
    sector = sector_picker(rel)
    near = rel.proximity[rel.proximity["sector_a"] == sector].sort_values("proximity", ascending=False).head(10)
    label = rel.sectors.set_index("sector").at[sector, "label"]
    fig = related_charts.nearest_bars(near, height=figure_height(520))
    figure_card(
        fig,
        title=f"The 10 sectors most related to {sector} {label}, {ctx.year}",
        data=near,
        key="rel_nearest",
        caption=ctx.caption(relatedness.DENSITY_RULE),
    )
    top = list(near["sector_b"])
    d = rel.density
    held = d[d["sector"].isin(top) & d["specialised"].fillna(False).astype(bool)]
    per_region = held.groupby("region_code").agg(held=("sector", "size"), related=("sector", ", ".join))
    own = d[d["sector"] == sector].set_index("region_code")[["name", "country", "specialised", "lq"]]
    out = own.join(per_region, how="left").fillna({"held": 0, "related": ""}).reset_index()
    out = out.sort_values(["held", "lq"], ascending=[False, False], na_position="last")
    st.markdown(f"**Regions specialised in the sectors related to {sector}** (most first)")
    tables.table(out.head(30), REGION_COLUMNS)
    _csv(
        out,
        REGION_COLUMNS,
        name=f"related-regions-{sector}-{ctx.sector_set}-{ctx.year}",
        key="rel_regions_csv",
        label="All regions (CSV)",
    )


def groups_view(ctx: Context, rel: Related, *, resolution: float, min_sectors: int, commission: pd.DataFrame) -> None:
    grp = sector_groups(ctx.sector_set, ctx.year, resolution)
    found = relatedness.related_clusters(rel.density, grp, min_sectors=min_sectors)
    names = rel.density.drop_duplicates("region_code").set_index("region_code")[["name", "country"]]
    found = found.join(names, on="region_code")
    listing = grp.groupby("group", as_index=False).agg(size=("sector", "size"), sectors=("sector", ", ".join))
    listing = listing.merge(
        found.groupby("group").size().rename("cells"), left_on="group", right_index=True, how="left"
    ).fillna({"cells": 0})
    m1, m2 = st.columns(2)
    m1.metric(
        f"Strong clusters in related industries, {ctx.year}",
        fmt(len(found)),
        help=f"Region x group cells where the region is specialised (LQ >= 1) in at least {min_sectors} sectors of "
        "the group",
    )
    cited = "no figure recorded"
    if len(commission):
        row = commission.iloc[0]
        cited = f"{row['value']} ({row['source']})"
        number = re.match(r"[\d,]+", str(row["value"]))
        if number:
            m2.metric("The Commission's count (not like for like)", number.group(0), help=cited)
    st.caption(
        f"Rule: a region holds a strong cluster in a group when it is specialised (LQ >= 1) in at least {min_sectors} "
        f"of the group's sectors. Groups: Louvain communities of the proximity network, resolution {resolution:g}, "
        f"seed {relatedness.SEED}. The Commission's figure: {cited}. Not like for like: the Commission counts 3-star "
        "clusters in cluster categories of related industries built from detailed industries; these groups come "
        "from the co-location of NACE divisions of the business economy in one year of these data."
    )
    tables.table(listing, GROUP_COLUMNS)
    st.markdown("**Regions and their strong clusters in related industries**")
    tables.table(found.sort_values(["held", "persons"], ascending=False).head(50), CLUSTER_COLUMNS)
    _csv(
        found,
        CLUSTER_COLUMNS,
        name=f"related-industry-clusters-{ctx.sector_set}-{ctx.year}",
        key="rel_groups_csv",
        label="All strong clusters in related industries (CSV)",
    )
