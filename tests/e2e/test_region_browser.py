"""The region dashboard (issue 16) in Chromium: three screen sizes, the paths to and from the other pages with the
region kept, Share in a fresh context, the browser's print to an A4 PDF (read back and looked at), the offline HTML
export, and a sample of 20 regions."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from tests.e2e.conftest import ARTIFACTS, block_outside, wait_for_app, wait_idle
from tests.e2e.test_map_browser import no_exceptions
from tests.e2e.test_paths_browser import params, share_link, sidebar

pytestmark = pytest.mark.e2e

FIGURES = 4  # locator, EU distribution, dimension scores, trends (Stuttgart has them all)
# Every country's capital-city region or a large one, an outermost region, NUTS 2024-only codes, a region without RIS
# values, non-EU countries the data cover, and a region held under an older unit in the employment data.
SAMPLE = [
    "AT13", "BE10", "BG41", "CY00", "CZ01", "DK01", "EE00", "EL30", "ES30", "FI1B", "FRY1", "HR05", "HU11",
    "IE06", "ITC4", "NL35", "PL91", "PT1A", "SE11", "UKI3",
]  # fmt: skip
A4 = (595.3, 841.9)  # points (210 x 297 mm); Chromium's sheet is 595.92 x 842.88
A4_PX = 718  # CSS px across an A4 sheet inside 12 mm margins (186 mm at 96 px per inch)


def open_dashboard(pg, url: str) -> None:
    pg.goto(url)
    wait_for_app(pg)
    pg.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= n", arg=FIGURES
    )
    no_exceptions(pg)


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1280, 720), (390, 844)])
def test_the_dashboard_at_three_sizes(browser, app_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    outside = block_outside(context)
    pg = context.new_page()
    try:
        open_dashboard(pg, app_url + "/region?region=DE11")
        heading = pg.locator("h2", has_text="Stuttgart (DE11)")
        assert heading.bounding_box()["y"] < height  # the region is named on the first screen
        # Nothing is wider than the screen: no sideways scrolling of the page.
        assert pg.evaluate("() => document.querySelector('.stMain').scrollWidth <= window.innerWidth + 1")
        for i, figure in enumerate(pg.locator('[data-testid="stPlotlyChart"]').all()):
            box = figure.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, i
            # The browser prints a figure at the width it was drawn at: one wider than an A4 sheet's 718 px inside
            # its margins was cut at the sheet's edge (the trends, drawn across the page at 1280 and 1440).
            assert box["width"] <= A4_PX, (i, box["width"])
        pg.screenshot(path=str(ARTIFACTS / f"region-{width}x{height}.png"), full_page=True)
    finally:
        context.close()
    assert outside == []


def test_paths_keep_the_region_and_share_reopens_it(page, app_url, browser):
    open_dashboard(page, app_url + "/region?region=FR10")
    page.get_by_role("link", name="Full view: Clusters, region view").click()
    page.wait_for_url("**/clusters?**")
    wait_idle(page)
    assert params(page.url)["region"] == "FR10" and params(page.url)["tab"] == "region"
    page.get_by_role("link", name=re.compile(r"^Region dashboard: .*\(FR10\)$")).click()
    page.wait_for_url("**/region?**")
    wait_for_app(page)
    assert params(page.url)["region"] == "FR10"
    sidebar(page, "Scoreboard")
    page.wait_for_url("**/scoreboard?**")
    wait_idle(page)
    assert params(page.url)["region"] == "FR10"
    sidebar(page, "Region dashboard")
    page.wait_for_url("**/region?**")
    wait_for_app(page)
    assert params(page.url)["region"] == "FR10"
    link = share_link(page)
    fresh = browser.new_context(viewport={"width": 1280, "height": 720})
    outside = block_outside(fresh)
    try:
        view = fresh.new_page()
        view.goto(link)
        wait_for_app(view)
        assert view.locator("h2", has_text="(FR10)").count() == 1
        no_exceptions(view)
    finally:
        fresh.close()
    assert outside == []


def _pdf_lines(path) -> tuple[list[tuple[float, float]], list[str], list[list[tuple[float, ...]]]]:
    pdf = pdfium.PdfDocument(str(path))
    sizes, texts, boxes = [], [], []
    for i in range(len(pdf)):
        sheet = pdf[i]
        sizes.append(sheet.get_size())
        text = sheet.get_textpage()
        texts.append(text.get_text_range())
        boxes.append([text.get_charbox(j) for j in range(text.count_chars())])
        sheet.render(scale=1.2).to_pil().save(ARTIFACTS / f"region-print-{i + 1:02d}.png")
    return sizes, texts, boxes


def test_the_browsers_print_gives_a_clean_a4_document(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside = block_outside(context)
    pg = context.new_page()
    try:
        open_dashboard(pg, app_url + "/region?region=DE11")
        path = ARTIFACTS / "region-DE11-print.pdf"
        pg.pdf(path=str(path), format="A4", print_background=True)
    finally:
        context.close()
    assert outside == []
    sizes, texts, boxes = _pdf_lines(path)
    assert 3 <= len(sizes) <= 16 and all(abs(w - A4[0]) < 1.5 and abs(h - A4[1]) < 1.5 for w, h in sizes)
    whole = " ".join(texts)
    for part in ("Stuttgart (DE11)", "Key figures", "Cluster portfolio", "Scoreboard profile", "Trends", "145"):
        assert part in whole, part
    # The controls, the sidebar and the buttons are not printed.
    for chrome in ("Add to deck", "Share", "Dashboard as one HTML file", "Full view:", "Map explorer", "Parquet"):
        assert chrome not in whole, chrome
    # Nothing is cut at the edge of a sheet: every character lies inside its page.
    for (w, h), chars in zip(sizes, boxes, strict=True):
        assert all(
            left >= 0 and right <= w + 0.5 and bottom >= 0 and top <= h + 0.5 for left, bottom, right, top in chars
        )


def test_the_html_export_opens_offline_and_prints(page, app_url, browser):
    open_dashboard(page, app_url + "/region?region=DE11")
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Dashboard as one HTML file (opens offline)").click()
    path = ARTIFACTS / "region-DE11.html"
    dl.value.save_as(path)
    offline = browser.new_context(offline=True, viewport={"width": 1280, "height": 720})
    blocked = block_outside(offline, ("file:", "data:", "blob:", "about:"))
    view = offline.new_page()
    try:
        view.goto(path.as_uri())
        view.wait_for_function("n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=FIGURES)
        assert view.locator(".js-plotly-plot").count() == FIGURES
        assert "Stuttgart (DE11)" in view.title()
        headings = view.locator("h2").all_inner_texts()
        assert "Key figures" in headings and "Sources" in headings and any("Starred" in h for h in headings)
        view.screenshot(path=str(ARTIFACTS / "region-export-offline.png"), full_page=True)
        view.pdf(path=str(ARTIFACTS / "region-export.pdf"), format="A4")
    finally:
        offline.close()
    assert blocked == []
    pdf = pdfium.PdfDocument(str(ARTIFACTS / "region-export.pdf"))
    assert len(pdf) >= 3 and all(abs(pdf[i].get_size()[0] - A4[0]) < 1.5 for i in range(len(pdf)))


def test_twenty_regions_open(page, app_url):
    """Chosen one after another in the Region box, as a person compares regions (a new page load per region would
    mostly time Streamlit's start-up, which the bench measures)."""
    page.goto(app_url + f"/region?region={SAMPLE[0]}")
    wait_idle(page)
    for code in SAMPLE:
        if params(page.url).get("region") != code:
            box = page.get_by_role("combobox", name="Region")
            box.click()
            box.fill(code)
            page.get_by_role("option", name=re.compile(rf"^{code} ")).click()
            page.wait_for_function("c => new URLSearchParams(location.search).get('region') === c", arg=code)
        wait_idle(page)  # the run is over (the drawing of figures is tested above)
        no_exceptions(page)
        assert page.locator("h2", has_text=f"({code})").count() == 1, code
        assert not page.get_by_text("asked for region").count(), code
