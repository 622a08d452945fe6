"""Overview: what the database holds and where every number comes from."""

from __future__ import annotations

import streamlit as st

from mapping.ui import data

st.title("EU cluster mapping")
st.caption("Regional cluster and ecosystem data for Europe: open, reproducible, every number traceable to its source.")

problem = data.database_ready()
if problem:
    st.error(problem)
    st.stop()

info = dict(data.query("build_info").values.tolist())
sources = data.query("sources")
st.markdown(f"Database built **{info.get('built_at', '?')}** from `{info.get('sources_dir', '?')}`.")
st.dataframe(
    sources[["source_id", "title", "publisher", "vintage", "rows_loaded", "licence", "url"]],
    hide_index=True,
    column_config={"url": st.column_config.LinkColumn("official page"), "rows_loaded": "rows"},
)
st.caption(
    "Boundaries: © EuroGeographics for the administrative boundaries. Statistics: see each source's attribution."
)
