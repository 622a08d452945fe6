"""Page chrome: the page registry, the sidebar navigation that carries URL state, presentation
mode and the share element."""

from __future__ import annotations

from urllib.parse import urlencode

import threading

import streamlit as st

from mapping.ui.state import SHARED, is_present, shared_params, view

# (script, title, icon): the order of the sidebar. Later pages add themselves here.
PAGES = [
    ("pages/map.py", "Map explorer", ":material/map:"),
    ("pages/clusters.py", "Clusters", ":material/hub:"),
    ("pages/scoreboard.py", "Scoreboard", ":material/leaderboard:"),
    ("pages/compare.py", "Compare regions", ":material/compare_arrows:"),
    ("pages/escp.py", "Cluster partnerships", ":material/handshake:"),
    ("pages/data.py", "Data and methods", ":material/database:"),
]

# One script run happens in one thread: the Share box drawn in the page header is filled at the end of that run.
_run = threading.local()
_NOT_SHARED = ("embed", "figure")

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
    """Links to every page that keep the shared parameters (region, country, year, ...). Drawn at the end of the
    run (``finish_page``), when the page has checked the URL's values and written its controls' latest ones."""
    with st.sidebar:
        st.markdown("### EU cluster mapping")
        _run.links = st.empty()
        _run.carried = _fill_links(_run.links)  # drawn now too, so the links do not blink during a run
        st.divider()
        st.caption(
            "Open data: Eurostat, European Commission (RIS, EIS, RCI), cluster partnership pages. "
            "Boundaries © EuroGeographics."
        )


def _fill_links(box) -> dict[str, str]:
    carried = shared_params()
    with box.container():
        for script, title, icon in PAGES:
            st.page_link(script, label=title, icon=icon, query_params=carried)
    return carried


def chrome() -> None:
    """Per-page setup: presentation CSS."""
    if is_present():
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)


def figure_height(default: int = 620) -> int:
    """16:9 figures in presentation mode (for a ~1280 px wide screen), ``default`` otherwise."""
    return 720 if is_present() else default


def current_link(*, extra: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    base = st.context.url or ""
    params = {k: v for k, v in view().items() if k not in drop}
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
    """The Share button. Its content is written by ``finish_page`` at the end of the run, when every control has
    written its value to the URL: drawn here it would give the link of the view before the last change."""
    if is_present():
        return
    with st.popover("Share", icon=":material/share:"):
        _run.share = st.empty()


def finish_page() -> None:
    """End of every run (app.py): the sidebar links and the Share box, from the view as it now stands."""
    links, _run.links = getattr(_run, "links", None), None
    if links is not None and shared_params() != getattr(_run, "carried", None):
        _fill_links(links)
    box, _run.share = getattr(_run, "share", None), None
    if box is not None:
        _fill_share(box)


def _fill_share(box) -> None:
    with box.container():
        st.caption("Link to this view")
        st.code(current_link(drop=_NOT_SHARED), language=None)
        st.caption("Presentation mode (no controls, large type, 16:9 figures)")
        st.code(current_link(extra={"present": "1"}, drop=_NOT_SHARED), language=None)
        st.caption("Embed in a web page (each figure has its own embed link under the figure)")
        embed = current_link(extra={"embed": "true"}, drop=_NOT_SHARED)
        st.code(f'<iframe src="{embed}" width="100%" height="760" style="border:0"></iframe>', language="html")


__all__ = [
    "PAGES",
    "SHARED",
    "chrome",
    "current_link",
    "figure_height",
    "finish_page",
    "page_header",
    "share_box",
    "sidebar_navigation",
]
