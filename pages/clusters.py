"""Cluster specialisation: location quotients, star ratings, a region's portfolio, EU summary, sensitivity."""

from __future__ import annotations

import streamlit as st

from mapping import clusters
from mapping.clusters import DEFAULTS, METHODS, SECTOR_SETS, Thresholds
from mapping.ui import cluster_views as views
from mapping.ui import data, notices, pickers, state, trend_views
from mapping.ui.layout import page_header, settings

data.require_database()

present = page_header("Cluster specialisation")

if "set" in st.query_params:  # links from before the sets covered every year
    st.query_params["set"] = clusters.set_of(st.query_params["set"])
available = pickers.cluster_years()
if not available:
    notices.nothing_to_show(*clusters.SECTOR_SETS["manufacturing"]["source_ids"], what="The cluster methods")
# The view chooser on its own row, outside the settings: every option shows at any width (it wraps on a phone).
tab = state.choice(
    "View",
    list(views.TABS),
    param="tab",
    default="sector",
    widget="segmented_control",
    format_func=views.TABS.get,
    wrap=True,
)
with settings():
    c1, c2, c3 = st.columns([2.2, 2.2, 1.2])
    thresholds = st.expander("Thresholds", expanded=False) if not present else st.container()
    method_box = st.container()
sector_set, year_table, year = pickers.cluster_data_picker(available, set_box=c1, year_box=c3)
units = dict(zip(year_table["year"], year_table["has_units"], strict=True))
years = year_table["year"].tolist()
methods = [m for m in METHODS if not (m == "cmp" and not units.get(year))]  # CMP needs local units
method = state.choice(
    "Method", methods, param="method", default="observatory", format_func=lambda m: METHODS[m]["label"], container=c2
)
with thresholds:
    t1, t2, t3, t4, t5 = st.columns(5)
    thr = Thresholds(
        spec_lq=state.choice(
            "Specialisation: LQ at least",
            [1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0],
            param="lq",
            default=DEFAULTS.spec_lq,
            container=t1,
        ),
        top_pct=state.choice(
            "Size / focus / productivity: top %",
            [5.0, 10.0, 15.0, 20.0, 25.0],
            param="top",
            default=DEFAULTS.top_pct,
            container=t2,
        ),
        cmp_lq_pct=state.choice(
            "CMP: LQ percentile at least",
            [50.0, 60.0, 70.0, 75.0, 80.0, 90.0],
            param="cmplq",
            default=DEFAULTS.cmp_lq_pct,
            container=t3,
        ),
        cmp_size_pct=state.choice(
            "CMP: size percentile above",
            [10.0, 20.0, 25.0, 30.0, 40.0, 50.0],
            param="cmpsize",
            default=DEFAULTS.cmp_size_pct,
            container=t4,
        ),
        min_coverage=state.choice(
            "Coverage: sectors with a value at least",
            [0.0, 0.25, 0.5, 0.75],
            param="cov",
            default=DEFAULTS.min_coverage,
            format_func=lambda v: f"{v:.0%}",
            container=t5,
            help="Region-years with fewer published sector cells are left out: their few cells are fragments",
        ),
    )
state.show_notices()
with method_box:  # beside the employment-data choice it explains (folded with the settings on a phone)
    notices.sources_absent(*SECTOR_SETS[sector_set]["source_ids"], what="Cluster employment data")
if not present:
    with method_box, st.expander("Method", icon=":material/functions:"):
        st.markdown(
            f"**{METHODS[method]['label']}**: {thr.rule(method)}.\n\n{clusters.LQ_RULE}\n\n{clusters.PERCENTILE_RULE}"
            f"\n\nData: {SECTOR_SETS[sector_set]['label']} — {SECTOR_SETS[sector_set]['note']}."
        )

year_sources = dict(zip(year_table["year"], year_table["source_ids"], strict=True))
ctx = views.Context(
    sector_set=sector_set, method=method, year=year, thr=thr, sources=tuple(year_sources[year].split(", "))
)
if not present:
    with method_box:  # folded with the settings on a phone: the figure stays on the first screen
        views.coverage_note(ctx)
if tab == "sector":
    views.sector_view(ctx)
elif tab == "region":
    views.region_view(ctx, years=years, year_sources=year_sources)
elif tab == "summary":
    views.summary_view(ctx)
elif tab == "trends":
    trend_views.trends_view(ctx)
else:
    views.sensitivity_view(ctx)
state.show_notices()  # views may have queued notices (e.g. a linked region held in an older unit)
