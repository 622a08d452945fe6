"""The map explorer in a real browser: drawn pixels, URL state, click selection, exports, modes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from tests.e2e.conftest import ARTIFACTS, drawn_share, wait_drawn, wait_for_app

pytestmark = pytest.mark.e2e


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def no_exceptions(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0


def choose(pg, label: str, option: str) -> None:
    """Pick the option whose label is ``option`` or starts with it (years read "2016 · 271 regions")."""
    pg.get_by_role("combobox", name=label).click()
    pg.get_by_role("option").filter(has_text=re.compile(rf"^{re.escape(option)}( · .*)?$")).first.click()


def test_map_page_loads_and_the_map_is_really_drawn(page, app_url):
    page.goto(app_url + "/")
    shot, share, colours = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.15, colours=40)
    no_exceptions(page)
    (ARTIFACTS / "map-element.png").write_bytes(shot)
    assert share > 0.15, f"map looks blank ({share:.1%} drawn pixels)"
    assert colours > 40, "a choropleth should show many colours"


def test_sources_page_loads(page, app_url):
    page.goto(app_url + "/data")
    wait_for_app(page, chart=False)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    no_exceptions(page)


def test_control_change_updates_url_and_reopening_restores_the_view(page, app_url, browser):
    page.goto(app_url + "/?indicator=eurostat.unemployment_rate")
    wait_for_app(page)
    choose(page, "Year", "2016")
    page.wait_for_function("() => location.search.includes('year=2016')")
    wait_for_app(page)
    url = page.url
    assert query(url)["year"] == "2016" and query(url)["indicator"] == "eurostat.unemployment_rate"
    other = browser.new_page()
    try:
        other.goto(url)
        wait_for_app(other)
        assert other.get_by_role("combobox", name="Year").input_value().split(" · ")[0] == "2016"
        assert other.get_by_text("Unemployment rate, 15-74, 2016").count() >= 1
        assert query(other.url) == query(url)
    finally:
        other.close()


def test_clicking_a_region_selects_it(page, app_url):
    page.goto(app_url + "/?country=DE&indicator=eurostat.gdp_pps_hab_eu")
    wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.15)  # the regions are there to click
    box = page.locator('[data-testid="stPlotlyChart"] .maplibregl-canvas').first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => location.search.includes('region=DE')")
    wait_for_app(page)
    region = query(page.url)["region"]
    assert region.startswith("DE") and len(region) == 4
    assert page.get_by_text("Key figures").count() == 1


def test_png_export_is_a_slide_sized_image(page, app_url):
    page.goto(app_url + "/?indicator=eurostat.tertiary_25_64&year=2022")
    wait_for_app(page)
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="PNG", exact=True).first.click()
    path = ARTIFACTS / "export.png"
    dl.value.save_as(path)
    img = Image.open(path)
    assert img.format == "PNG" and img.size == (1600, 900)
    share, _ = drawn_share(path.read_bytes())
    assert share > 0.1


def test_columns_view_renders_without_a_basemap_provider(page, app_url):
    page.goto(app_url + "/?view=columns&indicator=eurostat.unemployment_rate")
    _, share, colours = wait_drawn(page.locator('[data-testid="stDeckGlJsonChart"]').first, share=0.05, colours=20)
    no_exceptions(page)
    assert share > 0.05 and colours > 20


def test_presentation_mode_hides_sidebar_and_controls(page, app_url):
    page.goto(app_url + "/?present=1&indicator=ris.0")
    wait_for_app(page)
    no_exceptions(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator('[data-testid="stSelectbox"]').count() == 0


def test_embed_mode(page, app_url):
    page.goto(app_url + "/?embed=true&indicator=eurostat.gerd_pc_gdp")
    wait_for_app(page)
    no_exceptions(page)


def test_bad_link_shows_notices_not_a_traceback(page, app_url):
    page.goto(app_url + "/?indicator=nope&year=1900&region=%27%3B%20DROP%20TABLE%20regions")
    wait_for_app(page)
    no_exceptions(page)
    assert page.get_by_text("which is not available here").count() >= 2


def test_upload_maps_region_values_and_lists_bad_rows(page, app_url, tmp_path):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.get_by_text("Map your own data").click()
    csv = tmp_path / "mine.csv"
    csv.write_text("code,value\nDE21,12.5\nFR10,9\nPL91,7\nXX99,1\nDE21,3\nES30,abc\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    page.wait_for_selector("text=rows have problems")
    wait_for_app(page)
    no_exceptions(page)
    assert page.get_by_text("Your data (value)").count() >= 1


def test_sidebar_navigation_keeps_the_shared_parameters(page, app_url):
    page.goto(app_url + "/?indicator=ris.0&level=2&year=2021&country=PL&region=PL91")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Data and methods", exact=True).click()
    page.wait_for_url("**/data?**")
    wait_for_app(page, chart=False)
    kept = query(page.url)
    assert {k: kept.get(k) for k in ("indicator", "level", "year", "country", "region")} == {
        "indicator": "ris.0",
        "level": "2",
        "year": "2021",
        "country": "PL",
        "region": "PL91",
    }
    page.locator('[data-testid="stSidebar"]').get_by_text("Map explorer", exact=True).click()
    wait_for_app(page)
    assert page.get_by_role("combobox", name="Year").input_value().split(" · ")[0] == "2021"
    assert page.get_by_role("combobox", name="Region").input_value().startswith("PL91")
