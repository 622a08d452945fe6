"""First paint: the app's page names the plotly bundle (and the other element bundles our pages show first),
so Chromium fetches them while the script runs instead of after the figure has arrived. ``python -m bench
browser`` measures the effect; these tests check the page and the order of requests."""

from __future__ import annotations

import os
import re
import urllib.request

import pytest

from bench.common import streamlit_server

pytestmark = pytest.mark.e2e

PRELOAD = re.compile(r'<link rel="modulepreload" crossorigin href="\./static/js/PlotlyChart\.[\w-]+\.js">')


@pytest.fixture(scope="module")
def served_page() -> str:
    """The app's server (the HTML page needs no database)."""
    with streamlit_server(["-m", "mapping.ui.serve"], env=dict(os.environ)) as (_, url):
        yield url


@pytest.mark.parametrize("path", ["/", "/clusters", "/scoreboard"])
def test_page_preloads_the_plotly_bundle(served_page, path):
    with urllib.request.urlopen(served_page + path, timeout=30) as resp:
        html = resp.read().decode()
        cache = resp.headers.get("Cache-Control")
    assert PRELOAD.search(html)
    assert cache == "no-cache"  # the page itself is never cached: it names the bundles of this Streamlit version


def test_plotly_bundle_is_requested_before_the_server_answers(page, app_url):
    asked: list[str] = []
    asked_at_first_message: list[int] = []
    page.on("request", lambda r: asked.append(r.url) if "/PlotlyChart." in r.url else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda _: asked_at_first_message.append(len(asked))))
    page.goto(app_url + "/clusters")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    assert asked_at_first_message[0] == 1  # asked for before the server's first websocket message arrived
