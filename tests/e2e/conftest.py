"""Browser tests: the app on a free 127.0.0.1 port, driven by Playwright in Debian's Chromium.

Every page gets a route that lets localhost through and aborts (and records) anything else; the
``page`` fixture fails the test if any request tried to leave the machine. Screenshots go to
``artifacts/e2e/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.common import ServerDidNotStart, streamlit_server
from mapping.config import PROJECT_ROOT

CHROMIUM = os.environ.get("CLUSTERMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "artifacts" / "e2e"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt-get")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


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


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    finally:
        context.close()
    assert outside == [], f"requests left localhost: {outside[:5]}"


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(pg, timeout: float = 90_000) -> None:
    """Wait until the app's script has run to its end (Streamlit marks its root) and no spinner is left."""
    pg.wait_for_selector(IDLE, timeout=timeout)
    pg.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stSpinner"], [data-testid="stStatusWidget"]\')',
        timeout=timeout,
    )


def wait_for_app(pg, *, chart: bool = True) -> None:
    """Wait until the script has finished and (optionally) a map is on screen."""
    pg.wait_for_selector('[data-testid="stApp"]')
    if chart:
        pg.wait_for_selector(
            '[data-testid="stPlotlyChart"] .maplibregl-canvas, [data-testid="stDeckGlJsonChart"] canvas'
        )
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    pg.wait_for_timeout(2500)  # map tiles of our own layers render asynchronously
