"""Compare up to 10 regions side by side: dimension scores, radar or parallel coordinates, indicator bars."""

from __future__ import annotations

import streamlit as st

from mapping import charts
from mapping.ui import data, state
from mapping.ui import scoreboard_views as views
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import page_header, region_dashboard_link

data.require_database()

present = page_header("Compare regions")

method = state.choice(
    "Normalisation",
    list(views.METHODS),
    param="norm",
    default="minmax",
    format_func=views.METHODS.get,
    widget="segmented_control",
    wrap=True,
)
scored = views.loaded(method, views.ris_choice())
nm, labels = views.names(scored), views.dim_labels(scored)
codes = list(scored.board.universe["code"])
linked = st.query_params.get("region")
default = [c for c in dict.fromkeys((linked, "DE21", "FR10", "PL91", "ES51")) if c in codes][:4]
regions = state.multi_choice(
    "Regions (up to 10)",
    codes,
    param="regions",
    default=default,
    max_selections=10,
    format_func=lambda c: f"{c} {nm.get(c, '')}",
)
state.show_notices()
views.source_notices(scored)
if len(regions) < 2:
    st.info("Pick at least two regions.")
    st.stop()

board = scored.board
table = (
    board.dims.loc[regions]
    .rename(columns=labels)
    .assign(**{"Overall score": board.overall.loc[regions], "EU rank": board.rank_eu.loc[regions, "overall"]})
)
table.insert(0, "region", [nm[c] for c in regions])
st.dataframe(
    table,
    column_config={
        c: st.column_config.NumberColumn(format="%.3f") for c in table.columns if c not in ("region", "EU rank")
    },
)

if not present:
    st.caption("Region dashboards (everything about one region on one page):")
    for i, code in enumerate(regions):
        if i % 5 == 0:
            links = st.columns(5)
        with links[i % 5]:
            region_dashboard_link(code, nm.get(code, ""))

c1, c2 = st.columns(2)
kind = state.choice(
    "Chart",
    ["radar", "parallel"],
    param="chart",
    default="radar",
    widget="segmented_control",
    format_func={"radar": "Radar", "parallel": "Parallel coordinates"}.get,
    container=c1,
    wrap=True,  # in a narrow column the options wrap instead of scrolling out of sight
)
dim = state.choice(
    "Indicators of",
    list(board.dims.columns),
    param="dim",
    default=board.dims.columns[0],
    format_func=labels.get,
    container=c2,
)
left, right = st.columns(2)
with left:
    build = charts.radar if kind == "radar" else charts.parallel
    figure_card(
        build(board.dims.loc[regions], labels=labels, names=nm),
        title="Dimension scores (0-1)",
        caption=views.caption(scored),
        data=table.reset_index(names="code"),
        key="cmp_dims",
    )
with right:
    ids = [s.id for d in scored.framework.dimensions if d.id == dim for s in d.indicators]
    ind_labels = {i: scored.catalog.loc[i, "label"] for i in ids}
    bars = charts.indicator_bars(board.norm.loc[regions, ids], labels=ind_labels, names=nm)
    raw = board.raw.loc[regions, ids].rename(columns=ind_labels).reset_index(names="code")
    figure_card(
        bars, title=f"{labels[dim]}: indicators (normalised)", caption=views.caption(scored), data=raw, key="cmp_bars"
    )
