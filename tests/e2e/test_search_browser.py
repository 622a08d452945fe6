"""Search and country lists in Chromium (issue 12): a partnership search by country name, national name or code
gives the Compare-countries count; the regions of a country with their strong sectors download as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from mapping import db, escp
from tests.e2e.conftest import wait_idle
from tests.e2e.test_map_browser import no_exceptions

pytestmark = pytest.mark.e2e


def compare_count(real_db, code: str) -> int:
    """Partnerships with a member from ``code`` in the default programmes, as the Compare countries view counts."""
    con = db.connect(real_db)
    members = escp.prepare(db.query(con, "escp_members_all"))
    members = members[~members["programme"].str.contains("predecessor")]
    table = escp.country_table(members)
    return int(escp.by_country(table, members, db.query(con, "country_population")).loc[code, "partnerships"])


def test_partnership_search_by_country_in_three_spellings(page, app_url, real_db):
    expected = compare_count(real_db, "PL")
    page.goto(app_url + "/escp?tab=partnerships")
    wait_idle(page)
    box = page.get_by_label("Search: a country (Poland, Polska, PL), an organisation, acronym, theme or market")
    for text in ("Polska", "Poland", "PL"):
        box.fill(text)
        box.press("Enter")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {text!r}")
        wait_idle(page)
        caption = page.get_by_text(f"{expected} partnerships with a member from Poland (PL)")
        caption.wait_for()
        assert caption.count() == 1, text
    no_exceptions(page)


def test_strong_sectors_of_a_country_download_as_csv(page, app_url):
    page.goto(app_url + "/clusters?tab=summary&country=PL&minstars=2")
    wait_idle(page)
    page.get_by_text("Regions of Poland (PL) and their strong sectors").wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Strong sectors by region (CSV)").click()
    download = info.value
    assert download.suggested_filename.startswith("strong-sectors-pl-division-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) >= 16 and {r["Country"] for r in rows} == {"PL"}
    silesia = next(r for r in rows if r["Region"] == "PL22")
    assert "B05 Mining of coal and lignite (★★★" in silesia["Sectors (stars, location quotient)"]
    assert all("(★," not in r["Sectors (stars, location quotient)"] for r in rows)  # >= 2 stars only
    assert int(silesia["Strong sectors"]) == silesia["Sectors (stars, location quotient)"].count("(★")
    no_exceptions(page)
