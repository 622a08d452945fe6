"""The paths between pages in a real browser: the shared parameters survive the sidebar, the in-page links,
back/forward and a fresh open of the Share link; Share always equals the current view.

The reproductions of issue 12 (#1 and #2) are here: each of them failed before the fix.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def wait_param(pg, name: str, value: str) -> None:
    """Wait until the address bar carries ``name=value`` and the run that wrote it is over."""
    pg.wait_for_function(
        "([n, v]) => new URLSearchParams(location.search).get(n) === v", arg=[name, value], timeout=60_000
    )
    wait_idle(pg)


def arrive(pg, path: str, marker: str) -> None:
    """Wait until the browser is on ``path`` and that page's run is over (``marker``: a control only it has)."""
    pg.wait_for_url(f"**/{path}?**")
    pg.get_by_role("combobox", name=marker, exact=True).wait_for(timeout=60_000)
    wait_idle(pg)


def sidebar(pg, title: str) -> None:
    pg.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).click()


def share_link(pg) -> str:
    pg.get_by_role("button", name="Share").click()
    code = pg.locator('[data-testid="stPopoverBody"] code').first
    code.wait_for()
    text = code.inner_text().strip()
    pg.keyboard.press("Escape")
    return text


def region_heading(pg) -> str:
    return pg.locator('[data-testid="stHeading"] h3').first.inner_text()


def test_a_region_opened_on_the_map_reaches_the_scoreboard_by_the_sidebar(page, app_url):
    page.goto(app_url + "/?region=DE11")
    wait_idle(page)
    sidebar(page, "Scoreboard")
    arrive(page, "scoreboard", "Region profile")
    assert params(page.url)["region"] == "DE11"
    assert "(DE11)" in region_heading(page)


def test_open_this_region_in_keeps_the_region(page, app_url):
    page.goto(app_url + "/?region=DE11")
    wait_idle(page)
    page.locator('[data-testid="stMain"]').get_by_role("link", name="Clusters", exact=True).click()
    arrive(page, "clusters", "Region")
    assert params(page.url)["region"] == "DE11"
    assert page.get_by_role("combobox", name="Region").input_value().startswith("DE11")
    sidebar(page, "Scoreboard")  # Clusters -> Scoreboard by the sidebar
    arrive(page, "scoreboard", "Region profile")
    assert params(page.url)["region"] == "DE11"
    assert "(DE11)" in region_heading(page)
    page.go_back()  # one step back: the portfolio, still Stuttgart
    arrive(page, "clusters", "Region")
    assert page.get_by_role("combobox", name="Region").input_value().startswith("DE11")
    page.go_back()  # and one more: the map it came from
    page.wait_for_url("**/?region=DE11")
    page.go_forward()
    arrive(page, "clusters", "Region")


def test_a_region_changed_on_a_page_is_carried_by_the_sidebar(page, app_url):
    page.goto(app_url + "/scoreboard?region=DE11")
    wait_idle(page)
    box = page.get_by_role("combobox", name="Region profile")
    box.click()
    box.press_sequentially("PL91")
    page.get_by_role("option").filter(has_text="PL91").first.click()
    wait_param(page, "region", "PL91")
    sidebar(page, "Map explorer")
    arrive(page, "", "Region")
    assert params(page.url)["region"] == "PL91"
    assert page.get_by_role("combobox", name="Region").input_value().startswith("PL91")


def test_share_gives_the_view_after_the_last_change(page, app_url, browser):
    page.goto(app_url + "/scoreboard?region=DE11")
    wait_idle(page)
    page.locator('[data-testid="stElementContainer"]', has_text="Peers from other countries only").get_by_role(
        "radio", name="on"
    ).click()
    wait_param(page, "foreign", "1")
    link = share_link(page)
    assert params(link).items() >= params(page.url).items()  # the address bar, plus every default it leaves out
    assert {"score", "norm", "foreign"} <= params(link).keys()
    fresh = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    try:
        fresh.goto(link)
        wait_idle(fresh)
        assert params(fresh.url)["foreign"] == "1"
        peers = fresh.locator('[data-testid="stElementContainer"]', has_text="Peers from other countries only")
        assert peers.get_by_role("radio", name="on").get_attribute("aria-checked") == "true"
    finally:
        fresh.context.close()


def test_share_on_clusters_follows_the_view(page, app_url):
    page.goto(app_url + "/clusters?tab=region&region=DE11")
    wait_idle(page)
    page.get_by_role("radio", name="Sector").click()
    wait_param(page, "tab", "sector")
    assert params(share_link(page))["tab"] == "sector"
