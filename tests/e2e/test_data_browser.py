"""The Data page in Chromium, tried as a new user would: run three example queries, read a local file and see it
refused, download a table and open the zip."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from mapping.ui.data_views import EXAMPLES
from tests.e2e.conftest import wait_for_app, wait_idle
from tests.e2e.test_map_browser import choose, no_exceptions

pytestmark = pytest.mark.e2e


def run(page, sql: str) -> None:
    """Press Run and wait for that run's answer: the query reaches the link, then the script ends."""
    page.get_by_role("button", name="Run").click()
    page.wait_for_function(
        "sql => new URLSearchParams(location.search).get('sql') === sql", arg=sql.strip(), timeout=60_000
    )
    wait_idle(page)


def run_sql(page, sql: str) -> None:
    page.get_by_label("SQL").fill(sql)
    run(page, sql)


def result_rows(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]').filter(has_text=" rows in ").first.inner_text()


@pytest.mark.parametrize("tab", ["sources", "indicators", "crosswalk", "report", "methods", "downloads"])
def test_every_view_renders_a_table(page, app_url, tab):
    page.goto(app_url + f"/data?tab={tab}")
    wait_for_app(page, chart=False)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    no_exceptions(page)


def test_three_example_queries_then_a_local_file_is_refused(page, app_url):
    page.goto(app_url + "/data?tab=console")
    wait_for_app(page, chart=False)
    examples = [
        "Strongest motor-vehicle clusters (C29), 2014",
        "Cluster partnership participations by country",
        "Innovation index (RIS 2023) of German regions",
    ]
    for name in examples:
        choose(page, "Examples", name)
        expect(page.get_by_label("SQL")).to_have_value(EXAMPLES[name], timeout=60_000)
        wait_idle(page)
        run(page, EXAMPLES[name])
        no_exceptions(page)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert " rows in " in result_rows(page)
        assert "sql=" in page.url  # the query is in the link
    assert result_rows(page).startswith("38 rows")  # the 38 German NUTS 2 regions

    run_sql(page, "SELECT * FROM read_csv('/etc/passwd')")
    error = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "read_csv() is not available" in error and "reads files" in error
    assert page.get_by_text("root:x:0:0").count() == 0
    run_sql(page, "SELECT * FROM '/etc/passwd'")
    assert "would read a file" in page.locator('[data-testid="stAlertContentError"]').inner_text()


def test_download_a_table_with_its_sources(page, app_url):
    page.goto(app_url + "/data?tab=downloads&table=escp_partnerships&fmt=parquet")
    wait_for_app(page, chart=False)
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="escp_partnerships.parquet + sources").click()
    assert dl.value.suggested_filename == "escp_partnerships-parquet.zip"
    with zipfile.ZipFile(dl.value.path()) as zf:
        assert sorted(zf.namelist()) == ["README.txt", "escp_partnerships.parquet", "sources.csv"]
        table = pq.read_table(io.BytesIO(zf.read("escp_partnerships.parquet")))
        sources = pd.read_csv(io.BytesIO(zf.read("sources.csv")))
        readme = zf.read("README.txt").decode()
    assert table.num_rows == 81
    assert set(table.column("source_id").to_pylist()) <= set(sources["source_id"])
    assert "escp_partnerships.parquet - 81 rows" in readme
