"""The cluster page in a real browser: every view renders its charts; a threshold change reaches the URL."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_for_app
from tests.e2e.test_map_browser import choose, drawn_share, no_exceptions, query

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("tab", ["sector", "region", "summary", "sensitivity"])
def test_each_view_renders(page, app_url, tab):
    page.goto(app_url + f"/clusters?tab={tab}")
    wait_for_app(page, chart=False)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg, [data-testid="stPlotlyChart"] .maplibregl-canvas')
    page.wait_for_timeout(2500)
    no_exceptions(page)
    shot = page.locator('[data-testid="stPlotlyChart"]').first.screenshot()
    (ARTIFACTS / f"clusters-{tab}.png").write_bytes(shot)
    share, colours = drawn_share(shot)
    assert share > 0.03 and colours > 10


def test_threshold_change_updates_url(page, app_url):
    page.goto(app_url + "/clusters?tab=sensitivity")
    wait_for_app(page, chart=False)
    choose(page, "Alternative value", "1.25")
    page.wait_for_function("() => location.search.includes('alt=1.25')")
    assert query(page.url)["move"] == "spec_lq"
