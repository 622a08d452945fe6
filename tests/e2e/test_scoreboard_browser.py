"""Scoreboard and compare pages in Chromium; the exported profile opens with the network off."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_drawn, wait_for_app
from tests.e2e.test_map_browser import no_exceptions

pytestmark = pytest.mark.e2e


def test_scoreboard_page_renders(page, app_url):
    page.goto(app_url + "/scoreboard?region=PL91")
    page.wait_for_selector('h4:has-text("Scorecard:")')
    _, share, colours = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.15, colours=40)
    no_exceptions(page)
    assert share > 0.15 and colours > 40


def test_compare_page_renders(page, app_url):
    page.goto(app_url + "/compare?regions=DE21,FR10,ES30,PL91")
    _, share, _ = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.05)
    no_exceptions(page)
    assert share > 0.05


def test_profile_export_opens_offline(page, app_url, browser):
    page.goto(app_url + "/scoreboard?region=ES51")
    wait_for_app(page)
    page.wait_for_selector("text=Profile as one HTML file")
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Profile as one HTML file (opens offline)").click()
    path = ARTIFACTS / "profile-ES51.html"
    dl.value.save_as(path)
    offline = browser.new_context(offline=True)
    blocked: list[str] = []
    offline.route(
        "**/*",
        lambda r: (
            (blocked.append(r.request.url), r.abort()) if not r.request.url.startswith("file:") else r.continue_()
        ),
    )
    view = offline.new_page()
    try:
        view.goto(path.as_uri())
        view.wait_for_selector(".main-svg", timeout=30_000)
        assert view.locator(".js-plotly-plot").count() == 3
        assert "Cataluña" in view.title() or "ES51" in view.title()
        assert view.locator("table").count() >= 3
        view.screenshot(path=str(ARTIFACTS / "profile-offline.png"), full_page=True)
    finally:
        offline.close()
    assert blocked == []
