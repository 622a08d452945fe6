"""Hostile links in a real browser: a link's Markdown makes no request and no link, a console link runs nothing,
and no table offers the unguarded CSV export."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


def _watch(page) -> list[str]:
    """Every request the page makes to the port a hostile image names (nothing listens there)."""
    seen: list[str] = []

    def note(request) -> None:
        where = urlsplit(request.url)
        if where.port == 9 or (where.hostname or "").endswith("evil.example"):
            seen.append(request.url)

    page.on("request", note)
    return seen


def test_an_image_or_link_in_a_link_is_shown_as_text(page, app_url):
    seen = _watch(page)
    page.goto(app_url + "/compare?regions=![](//127.0.0.1:9/b),DE21,FR10")
    wait_idle(page)
    page.goto(app_url + "/?indicator=[Session expired: sign in again](https://evil.example/)")
    wait_idle(page)
    assert seen == []
    hosts = page.eval_on_selector_all("a[href]", "els => els.map(a => new URL(a.href, location.href).hostname)")
    assert "evil.example" not in hosts  # no link leads there (our own links may carry the text in a parameter)
    assert "Session expired: sign in again" in page.inner_text("body")  # the notice quotes it, as text


def test_a_console_link_runs_nothing_until_run(page, app_url):
    page.goto(app_url + "/data?tab=console&sql=SELECT%20repeat('ab',3000)%20AS%20s%20FROM%20range(10000)")
    wait_idle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert "Press Run" in page.inner_text("body").replace("*", "")
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector('[data-testid="stDataFrame"]')
    wait_idle(page)
    assert "rows shown" in page.inner_text("body")


def test_tables_offer_no_unguarded_csv_export(page, app_url):
    page.goto(app_url + "/data?tab=sources")
    wait_idle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    assert page.get_by_role("button", name="Sources table (CSV)").count() == 1  # ours, with formulas quoted
