"""Layout in a real browser at the sizes people use: every view choice visible at 1280 x 720, downloads with full
labels, presentation mode within one 1280 x 720 screen, an embed link that shows one figure sized to its frame, a
phone (390 x 844) with the figure on the first screen, and a keyboard focus that is not the current-page tint.

The reproductions of issue 12 (#4, #5, #9, #10) are here: each failed before the fix.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e

FIGURE = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'
CONTROLS = (
    '[data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stButtonGroup"], '
    '[data-testid="stPopover"], [data-testid="stDownloadButton"], [data-testid="stExpander"], [data-testid="stRadio"]'
)

# Elements (buttons of segmented controls, radio labels, download buttons) that are drawn but not fully visible:
# outside the window or outside an ancestor that clips (a row that scrolls sideways), or with their label cut.
HIDDEN_PARTS = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.closest('[data-testid="stMain"]') || el.closest('details:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed
    let left = 0, right = innerWidth;
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const b = a.getBoundingClientRect();
        left = Math.max(left, b.left); right = Math.min(right, b.right);
      }
    }
    const label = el.querySelector('[data-testid="stMarkdownContainer"]') || el;
    const cut = label.scrollWidth > label.clientWidth + 1;
    if (r.left < left - 1 || r.right > right + 1 || cut) {
      out.push(`${el.innerText.trim().replace(/\\s+/g, ' ')}: ${Math.round(r.left)}-${Math.round(r.right)} ` +
               `in ${Math.round(left)}-${Math.round(right)}, label ${label.scrollWidth}/${label.clientWidth}`);
    }
  }
  return out;
}"""
OPTIONS = '[data-testid="stButtonGroup"] button, [data-testid="stRadio"] label'


def _open(browser, app_url, path: str, *, width: int, height: int, figure: bool = True):
    pg = browser.new_context(viewport={"width": width, "height": height}).new_page()
    pg.set_default_timeout(90_000)
    pg.goto(app_url + path)
    wait_idle(pg)
    if figure:
        pg.locator(FIGURE).filter(visible=True).first.wait_for()
        wait_idle(pg)
    return pg


def _box(pg, selector: str) -> dict:
    return pg.locator(selector).filter(visible=True).first.bounding_box()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/clusters",
        "/clusters?tab=sensitivity",
        "/scoreboard",
        "/compare",
        "/escp",
        "/escp?tab=partnerships",
        "/escp?tab=compare",
        "/escp?tab=gap",
        "/data",
    ],
)
def test_every_view_option_is_visible_at_1280(browser, app_url, path):
    pg = _open(browser, app_url, path, width=1280, height=720, figure=False)
    try:
        assert pg.locator('[data-testid="stButtonGroup"]').count() > 0
        assert pg.evaluate(HIDDEN_PARTS, OPTIONS) == []
    finally:
        pg.context.close()


def test_download_buttons_show_their_labels_in_narrow_cards(browser, app_url):
    pg = _open(browser, app_url, "/compare", width=1280, height=720)  # two cards side by side
    try:
        buttons = '[data-testid="stDownloadButton"] button'
        assert pg.locator(buttons).count() >= 10
        assert pg.evaluate(HIDDEN_PARTS, buttons) == []
        labels = pg.locator(buttons).all_inner_texts()
        assert {"PNG", "SVG", "HTML", "CSV", "Parquet"} <= {t.split()[-1] for t in labels}
    finally:
        pg.context.close()


def test_presentation_mode_fits_the_figure_in_one_1280x720_screen(browser, app_url):
    pg = _open(browser, app_url, "/?present=1", width=1280, height=720)
    try:
        fig = _box(pg, FIGURE)
        assert fig["y"] >= 0 and fig["y"] + fig["height"] <= 720, fig
        assert fig["height"] >= 400, fig  # the figure takes the screen, not a sliver of it
        card = _box(pg, '.stMain [class*="st-key-card_"]')  # the slide: title, figure and source line
        assert card["y"] >= 0 and card["y"] + card["height"] <= 720, card
        assert (
            pg.locator('[data-testid="stSidebar"]').count() == 0
            or not pg.locator('[data-testid="stSidebar"]').is_visible()
        )
    finally:
        pg.context.close()


def _visible(pg, selector: str) -> int:
    return sum(1 for el in pg.locator(selector).all() if el.is_visible())


def test_an_embed_link_shows_one_figure_sized_to_its_frame(browser, app_url):
    page = _open(browser, app_url, "/compare", width=1280, height=720)
    try:
        share = page.locator('[data-testid="stPopover"]').filter(has_text="Share")
        share.get_by_role("button").click()
        snippet = page.locator('[data-testid="stPopoverBody"] code').filter(has_text="<iframe").first.inner_text()
        page.keyboard.press("Escape")
        assert "embed=true" in snippet and "figure=cmp_dims" in snippet  # the first figure of the page
        # Each figure card has its own snippet: the second one names the second figure.
        page.locator(".st-key-card_cmp_bars").get_by_role("button", name="Embed").click()
        code = page.locator('[data-testid="stPopoverBody"] code').filter(has_text="<iframe").first.inner_text()
        src = code.split('src="')[1].split('"')[0]
        query = parse_qs(urlparse(src).query)
        assert query["embed"] == ["true"] and query["figure"] == ["cmp_bars"] and "regions" in query
    finally:
        page.context.close()
    for width, height in ((1280, 720), (800, 450)):
        pg = _open(browser, app_url, "/" + src.split("://", 1)[1].split("/", 1)[1], width=width, height=height)
        try:
            assert _visible(pg, FIGURE) == 1
            assert _visible(pg, CONTROLS) == 0
            assert _visible(pg, '[data-testid="stSidebar"]') == 0
            assert "indicators (normalised)" in pg.locator(".st-key-card_cmp_bars h4").inner_text()
            fig = _box(pg, FIGURE)
            card = _box(pg, ".st-key-card_cmp_bars")
            assert fig["y"] + fig["height"] <= height, fig  # within the frame
            # The card (title, figure, source) fills the frame: the figure takes what title and source leave.
            assert height - 40 <= card["y"] + card["height"] <= height, card
            assert fig["height"] >= 200, fig
        finally:
            pg.context.close()


def test_an_embed_link_to_a_map(browser, app_url):
    pg = _open(browser, app_url, "/?embed=true&figure=map_chart", width=1280, height=720)
    try:
        assert _visible(pg, FIGURE) == 1
        assert _visible(pg, CONTROLS) == 0
        assert _visible(pg, '[data-testid="stSidebar"]') == 0
        fig = _box(pg, FIGURE)
        assert fig["y"] + fig["height"] <= 720 and fig["height"] >= 500 and fig["width"] >= 1200, fig
    finally:
        pg.context.close()


@pytest.mark.parametrize("path", ["/", "/clusters", "/scoreboard", "/related"])
def test_a_phone_sees_the_figure_on_the_first_screen(browser, app_url, path):
    pg = _open(browser, app_url, path, width=390, height=844)
    try:
        fig = _box(pg, FIGURE)
        assert fig["y"] < 844 - 200, fig  # at least 200 px of the figure on the first screen
        assert fig["x"] >= 0 and fig["x"] + fig["width"] <= 390, fig
        assert pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth") <= 390
        # The settings are one switch away.
        switch = pg.locator(".st-key-settings_open")
        assert switch.is_visible()
        first = pg.locator(".st-key-settings").locator('[data-testid="stSelectbox"]').first
        assert not first.is_visible()
        switch.locator("label").first.click()
        first.wait_for(state="visible", timeout=10_000)
    finally:
        pg.context.close()


def test_the_settings_switch_is_a_phone_thing(browser, app_url):
    pg = _open(browser, app_url, "/", width=1280, height=720)
    try:
        assert not pg.locator(".st-key-settings_open").is_visible()
        assert pg.get_by_role("combobox", name="Indicator").is_visible()
    finally:
        pg.context.close()


def test_a_tapped_region_is_described_right_under_the_map_on_a_phone(browser, app_url):
    pg = _open(browser, app_url, "/?region=DE11", width=390, height=844)
    try:
        fig = _box(pg, FIGURE)
        heading = pg.locator('[data-testid="stMain"] h3', has_text="Stuttgart").first.bounding_box()
        assert 0 <= heading["y"] - (fig["y"] + fig["height"]) <= 160, (fig, heading)
    finally:
        pg.context.close()


STYLE = """(el) => { const c = getComputedStyle(el);
  return {outline: c.outlineStyle, width: parseFloat(c.outlineWidth), background: c.backgroundColor,
          shadow: c.boxShadow, visible: el.matches(':focus-visible')}; }"""


def test_keyboard_focus_on_sidebar_links_is_not_the_current_page_tint(browser, app_url):
    pg = _open(browser, app_url, "/clusters", width=1280, height=720, figure=False)
    try:
        links = pg.locator('[data-testid="stSidebar"] a')
        current = links.filter(has_text="Clusters").first
        other = links.filter(has_text="Scoreboard").first
        current_style = current.evaluate(STYLE)
        other.focus()
        pg.keyboard.press("Shift+Tab")
        pg.keyboard.press("Tab")  # focus arrives by the keyboard
        focused = other.evaluate(STYLE)
        assert focused["visible"]
        assert focused["outline"] != "none" and focused["width"] >= 2, focused
        assert current_style["outline"] == "none", current_style  # the current page is not drawn as focused
        assert (focused["outline"], focused["width"]) != (current_style["outline"], current_style["width"])
    finally:
        pg.context.close()
