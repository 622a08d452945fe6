"""The side panel of the map: a selected region's key figures with ranks, and links that carry it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping import explorer
from mapping.flags import describe_flags
from mapping.formatting import fmt
from mapping.ui import data
from mapping.ui.layout import PAGES
from mapping.ui.state import shared_params

# Extra parameters when a region is opened on another page (e.g. the cluster page's portfolio view).
LINK_EXTRAS = {"pages/clusters.py": {"tab": "region"}}


def region_panel(region: str, *, lookup: pd.DataFrame, indicator: str, frames: explorer.MapFrames) -> None:
    info = lookup[lookup["code"] == region].sort_values("nuts_version")
    if info.empty:
        return
    row = info.iloc[0]
    st.markdown(f"### {row['name']}")
    st.caption(
        f"{region} · NUTS {row['level']} · {row['country']}"
        + (f" · drawn on {row['members']}" if row["is_unit"] else "")
    )
    mine = frames.values[frames.values["code"] == region]
    if len(mine):
        r = mine.iloc[0]
        if pd.notna(r["value"]):
            st.metric(f"This map ({int(r['year'])})", fmt(r["value"]), help=describe_flags(r["flag"]) or None)
            st.caption(
                f"Rank {int(r['rank'])} of {int(r['n'])} (1 = best)." + (f" {r['nuts_note']}" if r["nuts_note"] else "")
            )
        else:
            st.caption(f"No value published for this map ({describe_flags(r['flag']) or 'not available'}).")
    figures = explorer.key_figures(data.query, region, indicator)
    if len(figures):
        st.markdown("**Key figures** — latest year; rank among regions of the same level (1 = best)")
        lines = [
            f"- {r.label}: **{fmt(r.value, r.unit)}** ({int(r.year)}; rank {int(r.rank)}/{int(r.n)})"
            for r in figures.itertuples()
        ]
        st.markdown("\n".join(lines))
    carried = shared_params(region=region, country=row["country"])
    links = [(s, t, i) for s, t, i in PAGES if s not in ("pages/map.py", "pages/data.py", "pages/deck.py")]
    if links:
        st.markdown("**Open this region in**")
        for script, title, icon in links:
            st.page_link(script, label=title, icon=icon, query_params={**carried, **LINK_EXTRAS.get(script, {})})
