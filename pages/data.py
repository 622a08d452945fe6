"""Data and methods: where every number comes from, how it was placed and computed, a read-only SQL console and
downloads of every table."""

from __future__ import annotations

import streamlit as st

from mapping.ui import data, state
from mapping.ui import data_views as views
from mapping.ui.layout import share_box

data.require_database()

head, share = st.columns([6, 1], vertical_alignment="bottom")
head.title("Data and methods")
with share:
    share_box()
st.caption("Open data, reproducible build: every number traceable to its source file, its placement and its method.")

tab = state.choice(
    "View",
    list(views.TABS),
    param="tab",
    default="sources",
    widget="segmented_control",
    format_func=views.TABS.get,
    wrap=True,
)
state.show_notices()
{
    "sources": views.sources_view,
    "indicators": views.indicators_view,
    "crosswalk": views.crosswalk_view,
    "report": views.report_view,
    "methods": views.methods_view,
    "console": views.console_view,
    "downloads": views.downloads_view,
}[tab]()
