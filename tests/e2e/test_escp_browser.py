"""The cluster-partnership page in Chromium: views render; an imported CSV changes the counts for the session."""

from __future__ import annotations

import pytest

from mapping import escp
from tests.e2e.conftest import wait_drawn, wait_for_app
from tests.e2e.test_map_browser import no_exceptions

pytestmark = pytest.mark.e2e


def plotted(page) -> dict[str, list[float]]:
    """The bars of the first plotly chart, per trace name, read from plotly's own data in the page."""
    return page.evaluate(
        "() => Object.fromEntries(document.querySelector('.js-plotly-plot')._fullData"
        ".map(t => [t.name, Array.from(t.y)]))"
    )


@pytest.mark.parametrize("tab", ["countries", "coparticipation", "gap"])
def test_views_render(page, app_url, tab):
    page.goto(app_url + f"/escp?tab={tab}")
    _, share, colours = wait_drawn(page.locator('[data-testid="stPlotlyChart"]').first, share=0.02, colours=8)
    no_exceptions(page)
    assert page.get_by_text("The member lists are a verified sample").count() == 1
    assert share > 0.02 and colours > 8  # a scatter is mostly white; a blank chart has neither


def test_import_changes_the_comparison(page, app_url, tmp_path):
    page.goto(app_url + "/escp?tab=compare&countries=ES,PL,SE")
    wait_for_app(page, chart=False)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    before = plotted(page)
    header = ",".join(escp.MEMBER_COLUMNS)
    rows = [
        f"ESCP-4x,1st wave,2020-2022,SEX{i},Swedish test,Klusterforening {i},SE,partner,https://example.org/{i},,"
        "stated on source page,full list on page"
        for i in range(5)
    ]
    rows.append("ESCP-4x,1st wave,2020-2022,BAD,Bad row,=cmd(),SE,partner,https://example.org,,stated,partial")
    csv = tmp_path / "members.csv"
    csv.write_text("\n".join([header, *rows]) + "\n")
    page.goto(app_url + "/escp?tab=import&countries=ES,PL,SE")
    wait_for_app(page, chart=False)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    page.wait_for_selector("text=5 rows imported")
    assert page.get_by_text("1 problem found").count() == 1  # the =cmd() row, listed in the table below it
    page.get_by_text("Compare countries", exact=True).click()
    page.wait_for_function("() => location.search.includes('tab=compare')")
    wait_for_app(page, chart=False)
    page.wait_for_selector("text=imported in this session")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    after = plotted(page)
    assert sum(after["SE"]) == sum(before["SE"]) + 5  # five Swedish participations added to ESCP-4x
    no_exceptions(page)
