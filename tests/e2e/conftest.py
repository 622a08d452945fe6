"""Browser tests: the app on a free 127.0.0.1 port, driven by Playwright in Debian's Chromium.

Every page gets a route that lets localhost through and aborts (and records) anything else; the
``page`` fixture fails the test if any request tried to leave the machine. Screenshots go to
``artifacts/e2e/``.
"""

from __future__ import annotations

import io
import os
import time

import pytest
from PIL import Image

from bench.common import ServerDidNotStart, streamlit_server
from mapping.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "artifacts" / "e2e"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def app_url(real_db) -> str:
    env = {**os.environ, "CLUSTERMAP_DB": str(real_db)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS.parent / "e2e-server.log"
    with log.open("w") as out:
        try:
            with streamlit_server(["-m", "mapping.ui.serve"], env=env, log=out) as (_, url):
                yield url
        except ServerDidNotStart:
            pytest.fail(f"app did not start; see {log}")


def block_outside(context, allowed: tuple[str, ...] = LOCAL) -> list[str]:
    """Abort every request of ``context`` whose URL does not start with one of ``allowed``; the returned list
    collects the aborted URLs (the caller asserts it is empty)."""
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return outside


@pytest.fixture
def page(browser, app_url, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
    outside = block_outside(context)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    finally:
        context.close()
    assert outside == [], f"requests left localhost: {outside[:5]}"


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Still working: a spinner, the "Running..." status, or a skeleton (Streamlit draws one for an element whose code is
# still loading, e.g. the first plotly chart, and it can outlive the script run by seconds).
BUSY = '[data-testid="stSpinner"], [data-testid="stStatusWidget"], [data-testid="stSkeleton"]'
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot, [data-testid="stDeckGlJsonChart"] canvas'

# Every plotly chart on the page has been plotted (its layout, its SVG layer) and every map inside one is at rest:
# style and sources loaded, tiles loaded, no camera move and no frame pending. MapLibre passes through "loaded"
# while plotly adds its layers, so the caller also waits for the picture to stop changing (``wait_drawn``).
_PLOTTED = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].every(gd => {
  const layout = gd._fullLayout;
  if (!layout || !gd.querySelector('.main-svg')) return false;
  return (layout._subplots.map || []).every(id => {
    const m = layout[id] && layout[id]._subplot && layout[id]._subplot.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving() && !m._frameRequest;
  });
})"""


def wait_idle(pg, timeout: float = 90_000) -> None:
    """Wait until the app's script has run to its end (Streamlit marks its root) and nothing is left loading."""
    pg.wait_for_selector(IDLE, timeout=timeout)
    pg.wait_for_function(f"() => !document.querySelector({BUSY!r})", timeout=timeout)


def wait_for_app(pg, *, chart: bool = True, timeout: float = 90_000) -> None:
    """Wait until the script has finished and (``chart``) a chart is on screen with every plotly chart plotted and
    every map at rest."""
    wait_idle(pg, timeout)
    if chart:
        pg.wait_for_selector(CHART, timeout=timeout)
        wait_idle(pg, timeout)  # the chart's own code may have put a skeleton up meanwhile
    pg.wait_for_function(_PLOTTED, timeout=timeout)


def drawn_share(png: bytes) -> tuple[float, int]:
    """Share of pixels that are not (near) white, and the number of distinct colours."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((img.width // 2, img.height // 2))
    pixels = list(img.get_flattened_data())
    coloured = sum(1 for r, g, b in pixels if min(r, g, b) < 235)
    return coloured / len(pixels), len(set(pixels))


def wait_drawn(locator, *, share: float = 0.0, colours: int = 0, timeout: float = 60) -> tuple[bytes, float, int]:
    """Screenshots of ``locator`` until two in a row are the same picture with at least ``share`` drawn pixels and
    ``colours`` colours (a canvas draws after the script has ended, tiles and layers one after another).

    Returns the last screenshot and its figures; the caller asserts on them, so a chart that never draws fails there.
    """
    pg = locator.page
    wait_for_app(pg, chart=False)
    locator.wait_for(timeout=timeout * 1000)
    pg.wait_for_function(_PLOTTED, timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    previous = None
    while True:
        shot = locator.screenshot(animations="disabled")
        drawn, n = drawn_share(shot)
        if (shot == previous and drawn >= share and n >= colours) or time.monotonic() > deadline:
            return shot, drawn, n
        previous = shot
