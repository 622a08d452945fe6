"""The related-sectors page in a real browser: every view draws; the region travels with the sidebar links and the
Share link; a phone gets the network within its width."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_drawn, wait_for_app, wait_idle
from tests.e2e.test_map_browser import no_exceptions, query

pytestmark = pytest.mark.e2e
CARD_TITLE = '[class*="st-key-card_"] h4'


@pytest.mark.parametrize("tab", ["network", "region", "sector", "groups"])
def test_each_view_renders(page, app_url, tab):
    page.goto(app_url + f"/related?tab={tab}")
    if tab == "groups":  # tables only
        wait_for_app(page, chart=False)
        assert page.locator('[data-testid="stDataFrame"]').count() == 2
        assert "3,043" in page.locator('[data-testid="stMetric"]').all_inner_texts()[1]
        return
    shot, share, colours = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.02, colours=8)
    no_exceptions(page)
    (ARTIFACTS / f"related-{tab}.png").write_bytes(shot)
    assert share > 0.02 and colours > 8


def test_the_region_travels_to_clusters_and_back_and_share_pins_the_view(page, app_url, browser):
    page.goto(app_url + "/related?tab=region&region=FR10")
    wait_for_app(page)
    assert "(FR10)" in page.locator(CARD_TITLE).first.inner_text()
    page.get_by_role("link", name="Clusters").click()
    page.wait_for_url("**/clusters?**")
    wait_for_app(page)
    assert query(page.url)["region"] == "FR10"
    page.get_by_role("link", name="Related sectors").click()
    page.wait_for_url("**/related?**")
    wait_for_app(page)
    assert query(page.url)["region"] == "FR10"
    page.get_by_role("button", name="Share").click()
    link = page.locator('[data-testid="stPopoverBody"] code').first.inner_text().strip()
    shared = query(link)
    assert shared["region"] == "FR10" and shared["set"] == "division" and shared["year"] == "2014"
    fresh = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_for_app(other)
        assert "(FR10)" in other.locator(CARD_TITLE).first.inner_text()
    finally:
        fresh.close()


def test_the_threshold_reaches_the_url_and_the_network_keeps_its_layout(page, app_url):
    page.goto(app_url + "/related")
    wait_for_app(page)
    before = page.evaluate("() => document.querySelector('.js-plotly-plot').data.at(-1).x")
    page.get_by_role("combobox", name="Links: proximity at least").click()
    page.get_by_role("option", name="0.3", exact=True).click()
    page.wait_for_function("() => location.search.includes('phi=0.3')")
    wait_idle(page)
    wait_for_app(page)
    after = page.evaluate("() => document.querySelector('.js-plotly-plot').data.at(-1).x")
    assert before == after


def test_a_phone_sees_the_network_within_its_width(browser, app_url):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        pg = ctx.new_page()
        pg.goto(app_url + "/related?region=DE11")
        wait_for_app(pg)
        box = pg.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= 390
        pg.screenshot(path=str(ARTIFACTS / "related-phone.png"))
    finally:
        ctx.close()
