"""Region dashboard: everything about one region on one page, each section linking to its full view."""

from __future__ import annotations

import streamlit as st

from mapping import region as rg
from mapping.formatting import md_escape
from mapping.ui import data, deck_state, state
from mapping.ui import region_views as views
from mapping.ui import scoreboard_views as sb_views
from mapping.ui.layout import page_header, settings

data.require_database()

present = page_header("Region dashboard")
lookup = data.query("region_lookup")
options = rg.region_options(lookup)
if unit := rg.unit_member(lookup, st.query_params.get("region", "")):
    state.notice(f"{st.query_params['region']} is a unit of older data ({unit[1]}); showing {unit[0]}.")
    st.query_params["region"] = unit[0]
with settings():
    c1, c2 = st.columns([3, 2])
code = state.choice(
    "Region",
    list(options),
    param="region",
    default="DE11" if "DE11" in options else next(iter(options)),
    format_func=lambda c: f"{c} {options[c]}",
    container=c1,
)
state.show_notices()
place = rg.place_of(lookup, code)
st.markdown(f"## {md_escape(place.title)}")
st.caption(f"NUTS {place.level} region of {place.country} · NUTS {place.nuts_version} boundaries")
gaps = st.empty()

out = views.Collected()
scored = sb_views.loaded(views.SCOREBOARD_METHOD, None)
figures = views.key_figures_section(place, scored, out)
views.where_section(place, figures, lookup, out)
views.cluster_section(place, lookup, out)
views.scoreboard_section(place, scored, out)
views.trends_section(place, figures, out)
views.escp_section(place, out)

if out.missing:
    with gaps.container():
        st.info("What the data do not cover for this region, and what is shown instead:", icon=":material/info:")
        st.text("\n".join(f"• {line}" for line in out.missing))
if not present:
    with c2:
        st.download_button(
            "Dashboard as one HTML file (opens offline)",
            data=lambda: views.export_html(place, out),
            file_name=f"region-{place.code}.html",
            mime="text/html",
            icon=":material/description:",
            on_click="ignore",
            key="rg_html",
        )
        deck_state.deck_all_button([(k, t) for k, t, _, _ in out.figures], key="rg_deck_all")
        st.caption("To print: the browser's Print (A4) gives a clean document without the controls.")
