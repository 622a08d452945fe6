"""EU cluster-mapping dashboard: page config, navigation over pages/, the shared sidebar."""

from __future__ import annotations

import streamlit as st

from mapping.ui.layout import PAGES, chrome, finish_page, full_screen, sidebar_navigation
from mapping.ui.state import begin_run

st.set_page_config(
    page_title="EU cluster mapping",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="collapsed" if full_screen() else "auto",
)
pages = [st.Page(script, title=title, icon=icon, default=(i == 0)) for i, (script, title, icon) in enumerate(PAGES)]
# Our own sidebar links replace the built-in menu: they carry the shared URL parameters across pages.
current = st.navigation(pages, position="hidden")
begin_run(current.url_path)
chrome()
if not full_screen():  # presentation and embed modes show no sidebar
    sidebar_navigation()
try:
    current.run()
finally:  # also after st.stop(): the Share box shows the view as the run left it
    finish_page()
