"""EU cluster-mapping dashboard: page config, navigation over pages/, the shared sidebar."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="EU cluster mapping", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/home.py", title="Overview", icon=":material/home:", default=True),
]
st.navigation(pages).run()
