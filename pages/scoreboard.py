"""Regional ecosystem scoreboard: ranking and map, a region's profile, its peers and scorecard."""

from __future__ import annotations

import streamlit as st

from mapping.ui import data, state
from mapping.ui import scoreboard_views as views
from mapping.ui.layout import page_header, region_dashboard_link, settings

data.require_database()

present = page_header("Regional ecosystem scoreboard")

with settings():
    c1, c2, c3, c4 = st.columns([2.4, 1.4, 1.4, 1.6])
    method_box = st.container()
method = state.choice(
    "Normalisation", list(views.METHODS), param="norm", default="minmax", format_func=views.METHODS.get, container=c2
)
scored = views.loaded(method, views.ris_choice(container=c4))
labels = views.dim_labels(scored)
score = state.choice(
    "Score",
    ["overall", *scored.board.dims.columns],
    param="score",
    default="overall",
    format_func=labels.get,
    container=c1,
)
countries = sorted(scored.board.universe["country"].unique())
country = state.choice(
    "Country",
    ["", *countries],
    param="country",
    default="",
    container=c3,
    format_func=lambda c: c or "All EU countries",
)
if not present:
    with method_box, st.expander("Method", icon=":material/functions:"):
        st.markdown("\n\n".join(views.method_notes(scored, method)))
state.show_notices()
views.source_notices(scored)
if scored.board.overall.notna().sum() == 0:
    st.warning("No region has an overall score in this build: too many of the scoreboard's sources are absent.")

views.ranking_section(scored, score=score, country=country)

st.divider()
nm = views.names(scored)
codes = list(scored.board.universe["code"])
default = "DE21" if "DE21" in codes else codes[0]
region = state.choice(
    "Region profile", codes, param="region", default=default, format_func=lambda c: f"{c} {nm.get(c, '')}"
)
st.subheader(f"{nm[region]} ({region})")
region_dashboard_link(region, nm[region])
indicators = views.profile_section(scored, region)
with st.expander("All indicators: raw value, origin, normalised score, source", expanded=False):
    st.dataframe(
        indicators,
        hide_index=True,
        column_config={
            "raw value": st.column_config.NumberColumn(format="%.4g"),
            "normalised": st.column_config.NumberColumn(format="%.3f"),
        },
    )

st.markdown("#### Peers and scorecard")
p1, p2 = st.columns([1, 2])
peer_codes, peer_table, chosen = views.choose_peers(scored, region, container=p1)
with p2:
    views.peers_section(scored, region, peer_codes, peer_table, chosen)
card = views.scorecard_section(scored, region, peer_codes)
if not present:
    left, right = st.columns(2)
    with left:
        views.profile_download(scored, region, peer_codes, method, indicators, card)
    with right:
        st.page_link(
            "pages/compare.py",
            label="Compare with the peers",
            icon=":material/compare_arrows:",
            query_params=state.shared_params(regions=",".join([region, *peer_codes])),
        )
state.show_notices()
