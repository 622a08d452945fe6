"""Page chrome: the page registry, the sidebar navigation that carries URL state, presentation and embed modes,
the phone-foldable settings and the share element."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from mapping.formatting import md_escape
from mapping.ui import data
from mapping.ui.state import SHARED, is_present, shared_params, view

# (script, title, icon): the order of the sidebar. Later pages add themselves here.
PAGES = [
    ("pages/map.py", "Map explorer", ":material/map:"),
    ("pages/region.py", "Region dashboard", ":material/location_city:"),
    ("pages/clusters.py", "Clusters", ":material/hub:"),
    ("pages/scoreboard.py", "Scoreboard", ":material/leaderboard:"),
    ("pages/related.py", "Related sectors", ":material/share:"),
    ("pages/compare.py", "Compare regions", ":material/compare_arrows:"),
    ("pages/escp.py", "Cluster partnerships", ":material/handshake:"),
    ("pages/data.py", "Data and methods", ":material/database:"),
    ("pages/deck.py", "Deck", ":material/slideshow:"),
]

# One script run happens in one thread: the Share box drawn in the page header is filled at the end of that run.
_run = threading.local()
_NOT_SHARED = ("embed", "figure")
_FIGURE_KEY = re.compile(r"[A-Za-z0-9_]{1,60}")  # a figure card's key; anything else in ?figure= is ignored
STYLE = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")

PRESENT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.stMain .block-container {padding-top: 1.2rem !important; padding-bottom: 1rem !important; max-width: 100%;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 1.25rem;}
h1 {font-size: 2.6rem !important;} h2 {font-size: 2.1rem !important;} h3 {font-size: 1.7rem !important;}
[data-testid="stCaptionContainer"] {font-size: 1.05rem;}
/* No controls are drawn: their empty rows (and the gaps around them) would push the first slide down. */
.stMain [data-testid="stLayoutWrapper"]:has(> .st-key-settings) {display: none;}
/* Each figure is a slide: its card (title, figure, source) is one screen high, the figure takes what is left. */
.stMain [class*="st-key-card_"] {flex: none; height: calc(100vh - 2.4rem); flex-wrap: nowrap;}
.stMain [class*="st-key-card_"] > .stElementContainer:has(.stPlotlyChart, .stDeckGlJsonChart)
  {flex: 1 1 0; min-height: 0;}
.stMain [class*="st-key-card_"] :is(.stPlotlyChart, .stDeckGlJsonChart) {height: 100%;}
"""

# Embed mode (?embed=true&figure=<key>): the one figure card, sized to the frame; everything else is hidden (it is
# still drawn: the page's controls decide what the figure shows). {card} is the card's class.
EMBED_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.block-container {padding: 0.5rem 0.75rem !important; max-width: 100% !important;}
.stMain *:not(:has({card}, .st-key-embed_note)):not({card}, {card} *, .st-key-embed_note, .st-key-embed_note *)
  {display: none !important;}
.stMain [data-testid="stColumn"]:has({card}) {width: 100% !important; flex: 1 1 100% !important;}
.stMain {card} {flex: none; height: calc(100vh - 1rem); flex-wrap: nowrap;}
.stMain {card} > .stElementContainer:has(.stPlotlyChart, .stDeckGlJsonChart) {flex: 1 1 0; min-height: 0;}
.stMain {card} :is(.stPlotlyChart, .stDeckGlJsonChart) {height: 100%;}
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


def region_dashboard_link(region: str, name: str = "") -> None:
    """A link to the region dashboard of ``region`` (the other shared parameters kept). A statistical unit of an
    older table (PL12, split into PL91 and PL92) is not a region of the dashboard: its members are linked."""
    if is_present() or is_embed():
        return
    lookup = data.query("region_lookup")
    rows = lookup[lookup["code"] == region]
    if len(rows) and rows["is_unit"].astype(bool).all():
        targets = [(m, "") for m in str(rows["members"].iloc[0]).split("+") if m]
    else:
        targets = [(region, name)]
    for code, label in targets:
        st.page_link(
            "pages/region.py",
            label=md_escape(f"Region dashboard: {label} ({code})" if label else f"Region dashboard: {code}"),
            icon=":material/location_city:",
            query_params=shared_params(region=code),
        )


def is_embed() -> bool:
    """Embed mode (``?embed=true``, what the iframe snippets use): one figure, nothing else. Streamlit keeps
    ``embed`` out of ``st.query_params``; ``st.context.is_embedded`` reads it."""
    return bool(st.context.is_embedded)


def embed_figure() -> str | None:
    """The key of the figure an embed link asks for (``?figure=``), when it is a well-formed key."""
    key = st.query_params.get("figure", "")
    return key if _FIGURE_KEY.fullmatch(key) else None


def full_screen() -> bool:
    """Whether figures fill the screen (presentation) or the frame (embed) instead of taking their own height."""
    return is_present() or is_embed()


def _css(text: str) -> None:
    st.html(f"<style>{text}</style>")  # a style-only block takes no room on the page


def chrome() -> None:
    """Per-page setup: the app's CSS, presentation and embed CSS; forgets the previous run's figure cards."""
    _run.cards = []
    _css(STYLE)
    if is_embed():
        if figure := embed_figure():
            _css(EMBED_CSS.replace("{card}", f".st-key-card_{figure}"))
    elif is_present():
        _css(PRESENT_CSS)


def figure_height(default: int = 620) -> int:
    """The figure height a builder plans for (zoom to fit, label room). On screen a figure in presentation or embed
    mode takes the height the screen leaves (``figure_card``); 560 px is that height on a 1280 x 720 screen."""
    return 560 if full_screen() else default


@contextmanager
def settings(label: str = "Settings") -> Iterator[None]:
    """The page's controls. On a phone they fold behind a switch (``label``, off at first) so that the figure is on
    the first screen; on wider screens the switch is hidden and the controls always show (style.css)."""
    if not full_screen():
        st.toggle(label, key="settings_open", on_change="ignore", help="Show or hide the controls of this page")
    with st.container(key="settings"):
        yield


def register_card(key: str) -> st.delta_generator.DeltaGenerator | None:
    """Note a figure card drawn in this run; returns the place for its embed snippet (filled by ``finish_page``)."""
    if not hasattr(_run, "cards"):
        _run.cards = []
    box = None
    if not full_screen():
        with st.popover("Embed", icon=":material/code:", help="An iframe snippet that shows only this figure"):
            box = st.empty()
    _run.cards.append((key, box))
    return box


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
    """End of every run (app.py): the sidebar links, the Share box and the figures' embed snippets, from the view as
    it now stands."""
    links, _run.links = getattr(_run, "links", None), None
    if links is not None and shared_params() != getattr(_run, "carried", None):
        _fill_links(links)
    cards, _run.cards = getattr(_run, "cards", None) or [], []
    box, _run.share = getattr(_run, "share", None), None
    if box is not None:
        _fill_share(box, first=cards[0][0] if cards else None)
    for key, spot in cards:
        if spot is not None:
            with spot.container():
                st.caption("Paste into a web page: this figure alone, sized to the frame, with its source.")
                st.code(embed_snippet(key), language="html", wrap_lines=True)
    if is_embed() and embed_figure() not in {key for key, _ in cards}:
        with st.container(key="embed_note"):
            st.info("This view has no such figure. Copy the embed snippet again from the figure's Embed button.")


def embed_snippet(key: str, *, height: int = 600) -> str:
    """An iframe that shows figure ``key`` of the current view alone (its height follows the frame's)."""
    src = current_link(extra={"embed": "true", "figure": key}, drop=_NOT_SHARED)
    return f'<iframe src="{src}" width="100%" height="{height}" style="border:0" loading="lazy"></iframe>'


def _fill_share(box, *, first: str | None) -> None:
    with box.container():
        st.caption("Link to this view")
        st.code(current_link(drop=_NOT_SHARED), language=None)
        st.caption("Presentation mode (no controls, large type, each figure one screen high)")
        st.code(current_link(extra={"present": "1"}, drop=_NOT_SHARED), language=None)
        if first is not None:
            st.caption("Embed the first figure in a web page (every figure has its own Embed button)")
            st.code(embed_snippet(first), language="html", wrap_lines=True)


__all__ = [
    "PAGES",
    "SHARED",
    "chrome",
    "current_link",
    "embed_figure",
    "embed_snippet",
    "figure_height",
    "finish_page",
    "full_screen",
    "is_embed",
    "page_header",
    "region_dashboard_link",
    "register_card",
    "settings",
    "share_box",
    "sidebar_navigation",
]
