"""Page chrome: the page registry, the sidebar navigation that carries URL state, presentation
mode and the share element."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from mapping.ui.state import SHARED, is_present, shared_params

# (script, title, icon): the order of the sidebar. Later pages add themselves here.
PAGES = [
    ("pages/map.py", "Map explorer", ":material/map:"),
    ("pages/clusters.py", "Clusters", ":material/hub:"),
    ("pages/scoreboard.py", "Scoreboard", ":material/leaderboard:"),
    ("pages/compare.py", "Compare regions", ":material/compare_arrows:"),
    ("pages/escp.py", "Cluster partnerships", ":material/handshake:"),
    ("pages/data.py", "Data and methods", ":material/database:"),
]

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.block-container {padding-top: 1.2rem; max-width: 100%;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 1.25rem;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2.1rem !important;} h3 {font-size: 1.7rem !important;}
[data-testid="stCaptionContainer"] {font-size: 1.05rem;}
</style>
"""


def sidebar_navigation() -> None:
    """Links to every page that keep the shared parameters (region, country, year, ...)."""
    carried = shared_params()
    with st.sidebar:
        st.markdown("### EU cluster mapping")
        for script, title, icon in PAGES:
            st.page_link(script, label=title, icon=icon, query_params=carried)
        st.divider()
        st.caption(
            "Open data: Eurostat, European Commission (RIS, EIS, RCI), cluster partnership pages. "
            "Boundaries © EuroGeographics."
        )


def chrome() -> None:
    """Per-page setup: presentation CSS."""
    if is_present():
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)


def figure_height(default: int = 620) -> int:
    """16:9 figures in presentation mode (for a ~1280 px wide screen), ``default`` otherwise."""
    return 720 if is_present() else default


def current_link(*, extra: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    base = st.context.url or ""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in drop}
    params.update(extra or {})
    return base + ("?" + urlencode(params) if params else "")


def page_header(title: str) -> bool:
    """The page title with the Share box beside it, left out in presentation mode; returns whether the page is in
    presentation mode."""
    present = is_present()
    if not present:
        head, share = st.columns([6, 1], vertical_alignment="bottom")
        head.title(title)
        with share:
            share_box()
    return present


def share_box() -> None:
    """The current view's link, a presentation link and an iframe snippet."""
    if is_present():
        return
    with st.popover("Share", icon=":material/share:"):
        link = current_link(drop=("embed",))
        st.caption("Link to this view")
        st.code(link, language=None)
        st.caption("Presentation mode (no controls, large type, 16:9 figures)")
        st.code(current_link(extra={"present": "1"}, drop=("embed",)), language=None)
        st.caption("Embed in a web page")
        embed = current_link(extra={"embed": "true"})
        st.code(f'<iframe src="{embed}" width="100%" height="760" style="border:0"></iframe>', language="html")


__all__ = [
    "PAGES",
    "SHARED",
    "chrome",
    "current_link",
    "figure_height",
    "page_header",
    "share_box",
    "sidebar_navigation",
]
