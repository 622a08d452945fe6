"""Related sectors: which sectors co-locate, where a region is close to new specialisations, groups of related
industries (relatedness and complexity from the co-location of specialisations)."""

from __future__ import annotations

import streamlit as st

from mapping import relatedness
from mapping.clusters import SECTOR_SETS
from mapping.ui import data, notices, pickers, state
from mapping.ui import related_views as views
from mapping.ui.layout import page_header, settings

data.require_database()

present = page_header("Related sectors")
available = pickers.cluster_years()
if not available:
    notices.nothing_to_show(*SECTOR_SETS["division"]["source_ids"], what="Relatedness")
tab = state.choice(
    "View",
    list(views.TABS),
    param="tab",
    default="network",
    widget="segmented_control",
    format_func=views.TABS.get,
    wrap=True,
)
with settings():
    c1, c2, c3, c4 = st.columns([2.2, 1.2, 1.2, 1.2])
sector_set, year_table, year = pickers.cluster_data_picker(available, set_box=c1, year_box=c2)
threshold = state.choice("Links: proximity at least", [0.3, 0.4, 0.5, 0.6], param="phi", default=0.5, container=c3)
resolution = state.choice(
    "Groups: resolution",
    [1.0, 1.1, 1.2, 1.3, 1.5],
    param="res",
    default=relatedness.RESOLUTION,
    container=c4,
    help="Louvain resolution: higher gives smaller groups",
)
state.show_notices()
sources = dict(zip(year_table["year"], year_table["source_ids"], strict=True))[year]
ctx = views.Context(sector_set=sector_set, year=year, sources=tuple(sources.split(", ")))
rel = views.analysis(sector_set, year)
if tab == "network":
    views.network_view(ctx, rel, threshold=threshold, resolution=resolution)
elif tab == "region":
    views.region_view(ctx, rel)
elif tab == "sector":
    views.sector_view(ctx, rel)
else:
    min_sectors = state.choice(
        "Strong cluster in related industries: specialised sectors of the group at least",
        [2, 3, 4],
        param="minsec",
        default=relatedness.MIN_GROUP_SECTORS,
    )
    views.groups_view(
        ctx, rel, resolution=resolution, min_sectors=min_sectors, commission=data.query("commission_cluster_count")
    )
state.show_notices()
