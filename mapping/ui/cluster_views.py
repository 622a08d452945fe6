"""The four views of the cluster page (Streamlit helpers; the methods are SQL, see mapping/clusters.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from mapping import charts, clusters, export, maps, provenance, sector_groups, strong_sectors
from mapping import countries as country_names
from mapping.clusters import METHODS, SECTOR_SETS, SWEEPS, Thresholds
from mapping.formatting import fmt, md_escape
from mapping.geo import EUROPE_BBOX, view_for_bbox
from mapping.sector_groups import SectorGroup
from mapping.ui import data, pickers, state, tables
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height, region_dashboard_link
from mapping.ui.tables import Col

TABS = {
    "sector": "Sector",
    "region": "Region",
    "summary": "EU summary",
    "sensitivity": "Sensitivity",
    "trends": "Trends",
}
_STAR_FLAGS = {
    "star_size": Col("Size star"),
    "star_spec": Col("Specialisation star"),
    "star_focus": Col("Focus star"),
    "star_prod": Col("Productivity star"),
    "cmp_strong": Col("CMP strong cluster", help="Blank where the year publishes no local units"),
}
SECTOR_COLUMNS = {
    "code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "persons": Col("Persons employed", decimals=0),
    "lq": Col("LQ", decimals=2, help="Location quotient: the sector's share of the region's employment / EU share"),
    "share_r": Col("Share of region", decimals=1, percent=True),
    "size_pct": Col("Size percentile", decimals=0),
    "share_pct": Col("Focus percentile", decimals=0),
    "stars": Col("Stars", decimals=0),
    **_STAR_FLAGS,
    "flag": Col("Eurostat flag"),
    "coverage_r": Col("Region's sectors with a value", decimals=0, percent=True),
}
PORTFOLIO_COLUMNS = {
    "nace": Col("NACE"),
    "label": Col("Sector"),
    "persons": Col("Persons employed", decimals=0),
    "lq": Col("LQ", decimals=2),
    "stars": Col("Stars", decimals=0),
    **_STAR_FLAGS,
    "growth": Col("Growth / year", decimals=1, percent=True, help="Compound annual growth of persons employed"),
    "series_break": Col("Break in series"),
    "quadrant": Col("Quadrant"),
}
FLIP_COLUMNS = {
    "code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "nace": Col("NACE"),
    "label": Col("Sector"),
    "persons": Col("Persons employed", decimals=0),
    "lq": Col("LQ", decimals=2),
    "size_pct": Col("Size percentile", decimals=0),
    "share_pct": Col("Focus percentile", decimals=0),
    "lq_pct": Col("LQ percentile", decimals=0),
    "stars_base": Col("Stars now", decimals=0),
    "stars_alt": Col("Stars at the alternative", decimals=0),
    "change": Col("Change", decimals=0),
}
EXCLUDED_COLUMNS = {
    "code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "known_r": Col("Sectors with a value", decimals=0),
    "n_sectors": Col("Sectors in the set", decimals=0),
    "coverage_r": Col("Coverage", decimals=0, percent=True),
    "persons_known": Col("Persons employed in those sectors", decimals=0),
    "reason": Col("Why left out"),
}


@dataclass(frozen=True)
class Context:
    sector_set: str
    method: str
    year: int
    thr: Thresholds
    sources: tuple[str, ...] = ()  # the tables the year's cells come from

    def params(self) -> dict:
        return {"sector_set": self.sector_set, "year": self.year, "method": self.method, **self.thr.params()}

    def caption(self, extra: str = "", *, maps_: bool = False) -> str:
        rule = f"{METHODS[self.method]['label']}: {self.thr.rule(self.method)}."
        return provenance.caption(
            data.sources(),
            list(self.sources or SECTOR_SETS[self.sector_set]["source_ids"]),
            years=str(self.year),
            extra=f"{rule} {extra}".strip(),
            maps=maps_,
        )


def coverage_note(ctx: Context) -> None:
    """The region-years the coverage rule leaves out of this set and year, folded under one line."""
    excluded = data.query(
        "cluster_excluded", sector_set=ctx.sector_set, year=ctx.year, min_coverage=ctx.thr.min_coverage
    )
    if excluded.empty:
        return
    n = len(excluded)
    with st.expander(
        f"{n} region{'s' if n > 1 else ''} left out in {ctx.year} by the coverage rule", icon=":material/filter_alt:"
    ):
        st.caption(
            "Left out before anything is computed: "
            + clusters.COVERAGE_RULE.format(pct=100 * ctx.thr.min_coverage)
            + ". Change it under Thresholds."
        )
        tables.table(excluded, EXCLUDED_COLUMNS)


def _sector_picker(ctx: Context, group: SectorGroup | None = None) -> tuple[str, dict[str, str]]:
    sectors = data.query("cluster_sectors", sector_set=ctx.sector_set, year=ctx.year)
    labels = dict(zip(sectors["nace"], sectors["label"], strict=True))
    default = "C29" if "C29" in labels else ("C" if "C" in labels else sectors["nace"].iloc[0])
    if group is not None:  # the user's group is one more sector, offered first
        labels = {"GROUP": f"Your group: {group.label()}", **labels}
    nace = state.choice(
        "Sector", list(labels), param="sector", default=default, format_func=lambda c: f"{c} · {labels[c]}"
    )
    return nace, labels


def _group_from_link(ctx: Context) -> SectorGroup | None:
    """The sector group named in the link (``group=``, ``gname=``), checked against this set's sectors."""
    sectors = set(data.query("cluster_sectors", sector_set=ctx.sector_set, year=ctx.year)["nace"])
    group, problems = sector_groups.parse(st.query_params.get("group"), sectors, name=st.query_params.get("gname"))
    for problem in problems:
        state.notice(f"Sector group: {problem}.")
    return group


def group_editor(ctx: Context, group: SectorGroup | None) -> None:
    """Compose a sector group: codes with optional weights, a name, an example to start from, or a small file."""
    with st.expander("Your own sector group", icon=":material/category:", expanded=group is not None):
        st.caption(
            "A group of this data set's sectors, optionally weighted (e.g. C27,C28,C29*0.5), treated as one more "
            "sector: LQ, stars, map, ranking and exports. Its cell is the weighted sum of its members' cells "
            "(unknown when one of them is confidential). It lives in the link (group=, gname=). The examples are "
            "this project's approximations, not the Commission's definitions."
        )
        c1, c2 = st.columns([3, 2])
        state.text("Sectors (comma-separated, * weight)", param="group", max_chars=300, container=c1)
        state.text("Name", param="gname", max_chars=40, container=c2)
        e1, e2 = st.columns([3, 2])
        example = e1.selectbox("Start from an example", ["", *sector_groups.EXAMPLES], key="group_example")
        if example and e1.button("Use this example", key="group_use"):
            _show_group(sector_groups.EXAMPLES[example], example.split(" (")[0])
        upload = e2.file_uploader("Or upload a CSV (nace,weight) or TOML", type=["csv", "toml"], key="group_file")
        if upload is not None and st.session_state.get("_group_file") != upload.file_id:
            st.session_state["_group_file"] = upload.file_id
            try:
                value, name = sector_groups.from_file(upload.getvalue(), upload.name)
            except ValueError as exc:
                st.error(md_escape(f"The file was not used: {exc}."), icon=":material/error:")
            else:
                _show_group(value, name or upload.name.rsplit(".", 1)[0])


def _show_group(value: str, name: str) -> None:
    st.query_params["group"] = value
    st.query_params["gname"] = sector_groups.clean_name(name)
    st.query_params["sector"] = "GROUP"
    st.rerun()


def sector_view(ctx: Context) -> None:
    group = _group_from_link(ctx)
    nace, labels = _sector_picker(ctx, group)
    if group is not None and nace == "GROUP":
        frame = data.query("cluster_group_view", nace=nace, **ctx.params(), **group.sql_params())
    else:
        frame = data.query("cluster_sector_view", nace=nace, **ctx.params())
    colour = state.choice(
        "Map colour",
        ["lq", "stars"],
        param="colour",
        default="lq",
        widget="segmented_control",
        format_func={"lq": "Location quotient", "stars": "Stars"}.get,
    )
    starred = frame[frame["stars"] >= 1]
    st.caption(
        f"{len(frame):,} regions, {frame['persons'].notna().sum():,} with a published value; "
        f"{len(starred):,} starred. Grey: confidential or not published (never counted as zero)."
    )
    named = group.label() if nace == "GROUP" and group is not None else f"{nace} {labels[nace]}"
    title = f"{named}: {'location quotient' if colour == 'lq' else 'stars'}, {ctx.year}"
    shown = frame.assign(
        value=frame["lq"] if colour == "lq" else frame["stars"].astype(float).where(frame["lq"].notna()),
        rank=frame["lq"].rank(ascending=False, method="min"),
        n=frame["lq"].notna().sum(),
    )
    spec = maps.MapSpec(
        title=title,
        unit="LQ (1 = EU share)" if colour == "lq" else "stars",
        palette="puor" if colour == "lq" else "cividis",
        reference=1.0 if colour == "lq" else None,
        reference_label="LQ",
        log2=colour == "lq",
    )
    center, zoom = view_for_bbox(EUROPE_BBOX, width=620, height=figure_height())
    focal = st.query_params.get("region")
    fig = maps.choropleth(
        shown,
        spec=spec,
        geometries=data.geometry_url(2),
        base=data.base_url(),
        highlight=next((k for k in shown["key"] if k.startswith(f"{focal}|")), None) if focal else None,
        center=center,
        zoom=zoom,
        height=figure_height(),
        bbox=EUROPE_BBOX,
    )
    table = frame[
        [
            "code",
            "name",
            "country",
            "persons",
            "lq",
            "share_r",
            "size_pct",
            "share_pct",
            "stars",
            "star_size",
            "star_spec",
            "star_focus",
            "star_prod",
            "cmp_strong",
            "flag",
            "coverage_r",
        ]
    ]
    left, right = st.columns([3, 2])
    with left:
        figure_card(
            fig, title=title, caption=ctx.caption("Grey: no published value.", maps_=True), data=table, key="cl_map"
        )
    with right:
        bar = charts.ranking_bar(
            frame,
            value="lq",
            label="name",
            unit="LQ",
            colour_by="stars",
            highlight=st.query_params.get("region"),
            height=figure_height(),
        )
        figure_card(
            bar,
            title=f"Top 20 regions by LQ, {named if nace == 'GROUP' else nace}, {ctx.year}",
            data=table,
            key="cl_rank",
            caption=ctx.caption("Bar colour = stars (grey 0, light blue 1, blue 2, orange 3)."),
        )
    tables.table(table, SECTOR_COLUMNS, key="cl_sector_table")
    group_editor(ctx, group)  # below the figures: on a phone the map stays on the first screen


def region_view(ctx: Context, *, years: list[int], year_sources: dict[int, str]) -> None:
    regions = data.query("cluster_regions", **ctx.params())
    names = dict(zip(regions["code"], regions["name"], strict=True))
    pickers.follow_units(names)
    default = "DE11" if "DE11" in names else regions["code"].iloc[0]
    c1, c2 = st.columns([3, 1])
    region = state.choice(
        "Region", list(names), param="region", default=default, format_func=lambda c: f"{c} {names[c]}", container=c1
    )
    earlier = sorted(y for y in years if y < ctx.year)
    # Default base: the earliest year from the same table(s), so the default view crosses no change of table.
    same = [y for y in earlier if year_sources.get(y) == year_sources.get(ctx.year)]
    base = state.choice(
        "Growth since",
        earlier,
        param="base",
        default=(same or earlier or [None])[0],
        format_func=lambda y: str(y) if year_sources.get(y) == year_sources.get(ctx.year) else f"{y} (other table)",
        container=c2,
    )
    region_dashboard_link(region, names[region])
    port = data.query("cluster_portfolio", region=region, base_year=base or ctx.year, **ctx.params())
    if port.empty:
        st.info("No employment data for this region in this year.")
        return
    first = port.iloc[0]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Employment in these sectors", fmt(first["e_r"]))
    m2.metric("Sectors with a published value", f"{int(first['known_r'])} of {int(first['n_sectors'])}")
    m3.metric("Confidential cells", int(first["confidential_r"]))
    m4.metric("Starred sectors", int((port["stars"] >= 1).sum()))
    if not earlier:
        st.info("Growth needs two years; this data set has one, so all sectors sit on the 'growth unknown' strip.")
    port = port.assign(quadrant=[clusters.quadrant(a, b) for a, b in zip(port["lq"], port["growth"], strict=True)])
    breaks = port["series_break"].dropna()
    if len(breaks):
        st.info(
            f"{len(breaks)} of {len(port)} sectors cross a break in series between {base} and {ctx.year} "
            f"({breaks.value_counts().index[0]}): their growth is not computed; they are the diamonds on the strip "
            "below the growth axis."
        )
    title = f"Cluster portfolio of {names[region]} ({region}), {ctx.year}"
    fig = charts.portfolio_bubbles(port, base_year=base or ctx.year, year=ctx.year, height=figure_height())
    figure_card(
        fig,
        title=title,
        data=port,
        key="cl_portfolio",
        caption=ctx.caption(
            "Bubble area = persons employed; dashed lines: LQ = 1 and zero growth. "
            f"Coverage: {int(first['known_r'])} of {int(first['n_sectors'])} sectors known."
        ),
    )
    st.markdown("**Starred sectors**")
    stars = port[port["stars"] >= 1][
        [
            "nace",
            "label",
            "persons",
            "lq",
            "stars",
            "star_size",
            "star_spec",
            "star_focus",
            "star_prod",
            "cmp_strong",
            "growth",
            "series_break",
            "quadrant",
        ]
    ]
    tables.table(stars, PORTFOLIO_COLUMNS, key="cl_stars_table")


COUNTS = {"starred": ">= 1 star", "three_stars": "3 stars", "two_stars": "2 stars", "one_star": "1 star"}
STRONG_COLUMNS = {
    "code": Col("Region"),
    "name": Col("Name"),
    "country": Col("Country"),
    "sectors": Col("Strong sectors", decimals=0),
    "three_star": Col("of which 3 stars", decimals=0),
    "strong_sectors": Col("Sectors (stars, location quotient)"),
    "persons": Col("Employment, sector set", decimals=0, unit="persons"),
    "coverage_r": Col("Sectors with a value", decimals=0, percent=True),
}


def summary_view(ctx: Context) -> None:
    summary = data.query("cluster_summary", **ctx.params())
    codes = sorted(summary["country"].dropna().unique())
    c1, c2 = st.columns([1.3, 2.7], vertical_alignment="bottom")
    country = state.choice(
        "Country",
        ["", *codes],
        param="country",
        default="",
        format_func=lambda c: f"{country_names.name(c)} ({c})" if c else "All countries",
        container=c1,
    )
    where = f"{country_names.name(country)} ({country})" if country else "the EU"
    if country:
        summary = summary[summary["country"] == country]
    totals = summary[["one_star", "two_stars", "three_stars", "starred", "cells"]].sum()
    m = st.columns(4)
    m[0].metric("Cells (region x sector)", f"{int(totals['cells']):,}")
    if ctx.method == "cmp":
        m[1].metric("Strong clusters", f"{int(totals['starred']):,}")
    else:
        m[1].metric("1 star", f"{int(totals['one_star']):,}")
        m[2].metric("2 stars", f"{int(totals['two_stars']):,}")
        m[3].metric("3 stars", f"{int(totals['three_stars']):,}")
    if not country:
        reference = data.query("commission_cluster_count")
        cited = (
            f"{reference['value'].iloc[0]} ({reference['source'].iloc[0]})" if len(reference) else "no figure recorded"
        )
        st.caption(
            f"The Commission's figure, for orientation: {cited}. Not like for like: the Commission counts 3-star "
            f"clusters in cluster categories built from detailed industries across European regions; this page "
            f"counts {SECTOR_SETS[ctx.sector_set]['label']} cells in {ctx.year}: {int(totals['starred']):,} cells "
            f"starred by {METHODS[ctx.method]['label']} (3 stars: {int(totals['three_stars']):,})."
        )
    measure = state.choice(
        "Count",
        list(COUNTS),
        param="count",
        default="starred",
        widget="segmented_control",
        format_func=COUNTS.get,
        container=c2,
    )
    cells = data.query("cluster_region_stars", **ctx.params())
    if country:  # the country's regions x sectors, coloured by the stars of each counted cell
        pivot, mine = strong_sectors.regions_by_sector(cells, country=country, measure=measure)
        title = f"Starred sectors by region ({COUNTS[measure]}), {where}, {ctx.year}"
        frame, unit = mine, "stars"
    else:
        pivot = strong_sectors.countries_by_sector(summary, measure=measure)
        title = f"Starred cells by country and sector ({COUNTS[measure]}), {ctx.year}"
        frame, unit = summary, "cells"
    if pivot.empty:
        st.info(f"No cell in {where} has {COUNTS[measure]} in {ctx.year} under these thresholds.")
    else:
        fig = charts.summary_heatmap(pivot, title_z=unit, height=max(420, 22 * len(pivot) + 140))
        if country:  # stars, not counts: a fixed 1-3 scale and the word in the hover
            fig.update_traces(zmin=1, zmax=3, hovertemplate="%{y} · %{x}: %{z} stars<extra></extra>")
            fig.update_traces(colorbar=dict(title="stars", tickvals=[1, 2, 3]))
        figure_card(fig, title=title, caption=ctx.caption(), data=frame, key="cl_summary")
    strong_list(ctx, cells, country=country, where=where)


def strong_list(ctx: Context, cells: pd.DataFrame, *, country: str, where: str) -> None:
    """The regions (of the chosen country) with their strong sectors, as a table and a CSV download."""
    cmp = ctx.method == "cmp"
    st.markdown(f"#### Regions of {where} and their strong sectors")
    min_stars = 1
    if not cmp:
        min_stars = state.choice(
            "Sectors listed",
            [1, 2, 3],
            param="minstars",
            default=1,
            widget="segmented_control",
            format_func=lambda n: f">= {n} star" + ("s" if n > 1 else ""),
        )
    regions = data.query("cluster_regions", **ctx.params())
    listing = strong_sectors.strong_sectors(regions, cells, country=country or None, min_stars=min_stars, cmp=cmp)
    rule = "strong clusters (CMP)" if cmp else f"sectors with at least {min_stars} star{'s' if min_stars > 1 else ''}"
    caption = ctx.caption(
        f"{len(listing):,} regions; {int((listing['sectors'] > 0).sum()):,} with {rule}. Employment: persons "
        "employed in the sector set; 'Sectors with a value': share of the set's sectors published for the region."
    )
    tables.table(listing, STRONG_COLUMNS, key="cl_strong", height=min(38 + 35 * len(listing), 460))
    st.caption(caption)
    labelled = listing[list(STRONG_COLUMNS)].rename(columns={c: col.label for c, col in STRONG_COLUMNS.items()})
    name = f"strong-sectors-{(country or 'eu').lower()}-{ctx.sector_set}-{ctx.year}-{ctx.method}.csv"
    st.download_button(
        "Strong sectors by region (CSV)",
        data=lambda: export.to_csv(labelled),
        file_name=name,
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",
        key="cl_strong_csv",
    )


def sensitivity_view(ctx: Context) -> None:
    relevant = ["spec_lq", "top_pct"] if ctx.method != "cmp" else ["cmp_lq_pct", "cmp_size_pct"]
    relevant.append("min_coverage")
    c1, c2 = st.columns(2)
    param = state.choice(
        "Threshold to move",
        relevant,
        param="move",
        default=relevant[0],
        format_func=lambda p: SWEEPS[p][0],
        container=c1,
    )
    values = [float(v) for v in SWEEPS[param][1]]
    current = getattr(ctx.thr, param)
    default_alt = 1.5 if param == "spec_lq" else next((v for v in values if v != current), current)
    alt = state.choice("Alternative value", values, param="alt", default=default_alt, container=c2)
    alt_thr = replace(ctx.thr, **{param: alt})
    flips = data.query("cluster_flips", **ctx.params(), **alt_thr.params("alt_"))
    gained, lost = int((flips["change"] > 0).sum()), int((flips["change"] < 0).sum())
    curve = clusters.threshold_curve(
        data.query, sector_set=ctx.sector_set, year=ctx.year, method=ctx.method, base=ctx.thr, param=param
    )
    base_row = curve.loc[(curve["value"] - current).abs().idxmin()]
    alt_row = curve.loc[(curve["value"] - alt).abs().idxmin()]
    m = st.columns(4)
    m[0].metric(f"Starred cells at {current:g}", f"{int(base_row['at_least_1']):,}")
    m[1].metric(
        f"Starred cells at {alt:g}",
        f"{int(alt_row['at_least_1']):,}",
        delta=f"{int(alt_row['at_least_1'] - base_row['at_least_1']):+,}",
    )
    m[2].metric("Cells gaining stars", f"{gained:,}")
    m[3].metric("Cells losing stars", f"{lost:,}")
    left, right = st.columns(2)
    with left:
        figure_card(
            charts.sensitivity_curve(curve, label=SWEEPS[param][0], base=current, alt=alt),
            title=f"Starred cells as the threshold moves, {ctx.year}",
            data=curve,
            key="cl_curve",
            caption=ctx.caption(f"Other thresholds fixed. Base {current:g}, alternative {alt:g}."),
        )
    with right:
        if len(flips):
            figure_card(
                charts.flips_bar(flips),
                title=f"Where stars appear or vanish ({current:g} -> {alt:g})",
                data=flips,
                key="cl_flips",
                caption=ctx.caption(),
            )
        else:
            st.info("No cell changes its stars between these two values.")
    st.markdown(f"**Cells that flip** ({len(flips):,})")
    tables.table(flips, FLIP_COLUMNS, key="cl_flips_table")
