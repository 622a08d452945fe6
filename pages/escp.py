"""European cluster partnerships: participation by country, partnerships, co-participation, gaps, import."""

from __future__ import annotations

import streamlit as st

from mapping import escp
from mapping.ui import data, state
from mapping.ui import escp_views as views
from mapping.ui.layout import page_header, settings

data.require_database()

present = page_header("European cluster partnerships by country")
if not present:
    st.warning(views.CAVEAT, icon=":material/info:")

all_members = views.recorded_members()
programmes = escp.programmes_of(all_members)
default = escp.programmes_of(all_members, current_only=True)
# The view chooser on its own row: its six options show at any width (they wrap on a phone).
tab = state.choice(
    "View",
    list(views.TABS),
    param="tab",
    default="countries",
    widget="segmented_control",
    format_func=views.TABS.get,
    wrap=True,
)
with settings():
    c1, c2 = st.columns([4, 1.4])
chosen = state.multi_choice("Programmes", programmes, param="programmes", default=default, container=c1)
full_only = state.flag("Only full member lists", param="full", default=False, container=c2, wrap=True)
state.show_notices()
views.import_banner()
if not chosen:
    st.info("Choose at least one programme.")
    st.stop()
if not present:
    with st.expander("Listed vs expected, per programme (how complete the record is)", expanded=tab == "countries"):
        views.programme_overview()
        st.caption(
            "Counting rules: a participation is a member organisation in a partnership (twice in two "
            "partnerships); affiliated entities and partnership-level rows are not counted; distinct "
            "organisations fold case, accents and punctuation; coordinators are rows whose role starts with "
            "'coordinator'. Population: European Innovation Scoreboard structural indicator 5.6.1 (EIS 2025 where "
            "loaded, else EIS 2023), latest year."
        )

scope = views.scope_of(chosen, full_only=full_only)
if scope.table.empty and tab != "import":
    st.info(
        "No member organisation in this selection: choose other programmes"
        + (", or forget the import that replaced the recorded sample." if scope.imported else ".")
    )
    st.stop()
{
    "countries": views.countries_view,
    "partnerships": views.partnerships_view,
    "coparticipation": views.coparticipation_view,
    "compare": views.compare_view,
    "gap": views.gap_view,
}.get(tab, lambda _scope: views.import_view())(scope)
state.show_notices()
