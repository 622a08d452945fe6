"""The cluster page in a real browser: every view renders its charts; a threshold change reaches the URL."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_drawn, wait_for_app, wait_idle
from tests.e2e.test_map_browser import choose, no_exceptions, query

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("tab", ["sector", "region", "summary", "sensitivity", "trends"])
def test_each_view_renders(page, app_url, tab):
    page.goto(app_url + f"/clusters?tab={tab}")
    shot, share, colours = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.03, colours=10)
    no_exceptions(page)
    (ARTIFACTS / f"clusters-{tab}.png").write_bytes(shot)
    assert share > 0.03 and colours > 10


def test_threshold_change_updates_url(page, app_url):
    page.goto(app_url + "/clusters?tab=sensitivity")
    wait_for_app(page, chart=False)
    choose(page, "Alternative value", "1.25")
    page.wait_for_function("() => location.search.includes('alt=1.25')")
    wait_idle(page)
    assert query(page.url)["alt"] == "1.25"
    # The default threshold that moves is left out of the address bar; the Share link names it.
    page.get_by_role("button", name="Share").click()
    shared = query(page.locator('[data-testid="stPopoverBody"] code').first.inner_text().strip())
    assert shared["alt"] == "1.25" and shared["move"] == "spec_lq"
