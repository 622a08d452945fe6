"""The Data page in AppTest on the real DB: every view, search, console results and refusals, URL state."""

from __future__ import annotations

import functools

import pytest

from tests.conftest import view

pytestmark = pytest.mark.integration


@pytest.fixture
def open_data(app_test):
    return functools.partial(app_test, "pages/data.py")


def test_sources_view_lists_every_source_with_checksums(open_data):
    at = open_data()
    table = at.dataframe[0].value
    assert len(table) == 31
    loaded = table[table["status"] == "loaded"]
    assert len(loaded) >= 22 and loaded["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert (loaded["rows_loaded"] > 0).all()
    absent = table[table["status"] == "missing"]
    assert absent["remedy"].str.len().gt(10).all() and absent["sha256"].isna().all()
    shown = at.markdown[0].value.replace("\\", "")  # the label is Markdown-escaped
    assert "/work/" not in shown and "the sources folder ../shared/data" in shown
    files = at.dataframe[1].value
    assert len(files) >= 25 and files["bytes"].gt(0).all()


def test_indicator_search_filters_and_is_kept_in_the_url(open_data):
    at = open_data(tab="indicators")
    everything = len(at.dataframe[0].value)
    at.text_input(key="w_q").input("unemployment").run()
    found = at.dataframe[0].value
    assert 0 < len(found) < everything
    assert (
        found["label"].str.lower().str.contains("unemployment").all()
        or found["description"].str.lower().str.contains("unemployment").all()
    )
    assert view(at)["q"] == "unemployment"


def test_crosswalk_and_report_views(open_data):
    at = open_data(tab="crosswalk", xmethod="split")
    xwalk = at.dataframe[-1].value
    assert set(xwalk["method"]) == {"split"} and "PL12" in set(xwalk["from_code"])
    at = open_data(tab="report", report="eurostat_sbs_r_nuts06_r2")
    report = at.dataframe[-1].value
    assert "rows read" in set(report["item"])
    assert report.loc[report["item"] == "rows read", "count"].iat[0] == 916_318


def test_methods_view_shows_the_parameters_that_run(open_data):
    at = open_data(tab="methods")
    thresholds = at.dataframe[1].value.set_index("parameter")
    assert thresholds.loc["spec_lq", "default"] == 2.0
    inputs = at.dataframe[3].value
    assert len(inputs) == 31 and {"year", "transform", "weight", "direction"} <= set(inputs.columns)
    assert set(inputs["year"]) <= set(range(2014, 2026))  # "latest" resolved against the build


@pytest.fixture
def console_calls(monkeypatch):
    """Count the queries the console runs (AppTest runs the page in this process)."""
    from mapping.console.pool import Console

    calls: list[str] = []
    real = Console.run

    def spy(self, sql, **kw):
        calls.append(sql)
        return real(self, sql, **kw)

    monkeypatch.setattr(Console, "run", spy)
    return calls


def test_a_console_link_fills_the_box_and_runs_nothing(open_data, console_calls):
    sql = "SELECT repeat('ab', 3000) AS s FROM range(10000)"
    at = open_data(tab="console", sql=sql)
    assert at.text_area(key="console_sql").value == sql
    assert console_calls == [] and len(at.dataframe) == 0  # a link (or a hidden iframe) starts no work
    assert "Press Run" in at.info[0].value.replace("*", "")
    at.button[0].click().run()  # a person's click
    assert console_calls == [sql]
    assert len(at.dataframe[0].value) < 10000  # the page keeps a preview within its budget ...
    caption = next(c.value for c in at.caption if "rows in" in c.value)
    assert "rows shown" in caption and "downloads have the whole result" in caption
    kept = at.session_state["_console_result"]["frame"]
    assert kept.memory_usage(deep=True).sum() <= 2.2 * 2**20 and kept["s"].str.len().max() <= 501  # ... of 2 MB


def test_console_runs_on_click_and_keeps_the_query_in_the_link(open_data, console_calls):
    at = open_data(tab="console", sql="SELECT source_id, rows_loaded FROM sources ORDER BY source_id")
    at.button[0].click().run()
    result = at.dataframe[0].value
    assert len(result) == 31 and list(result.columns) == ["source_id", "rows_loaded"]
    assert not at.error and view(at)["sql"].startswith("SELECT source_id")
    at.run()  # a rerun (e.g. a download click) shows the answer kept, without running the query again
    assert len(console_calls) == 1 and len(at.dataframe[0].value) == 31


@pytest.mark.parametrize(
    "sql,said",
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "reads files"),
        ("DROP TABLE sources", "read-only"),
        ("SELECT 1; SELECT 2", "One statement"),
        ("SELECT * FROM nosuch_table", "nosuch_table"),
    ],
)
def test_console_refuses_with_a_message(open_data, sql, said):
    at = open_data(tab="console", sql=sql)
    at.button[0].click().run()
    assert len(at.dataframe) == 0
    assert said in at.error[0].value.replace("\\", "")


def test_console_example_fills_the_box_and_run_writes_the_link(open_data):
    at = open_data(tab="console")
    at.selectbox(key="console_example").select("Innovation index (RIS 2023) of German regions").run()
    sql = at.text_area(key="console_sql").value
    assert "ris.0" in sql
    at.button[0].click().run()  # the form's Run button
    assert view(at)["sql"] == sql.strip()
    assert len(at.dataframe[0].value) == 38


def test_downloads_view_offers_every_table(open_data):
    at = open_data(tab="downloads", table="escp_members", fmt="parquet")
    listing = at.dataframe[0].value
    assert len(listing) == 26 and listing["description"].notna().all()  # with cluster_totals and _coverage_levels
    assert at.selectbox(key="w_table").value == "escp_members"
    assert view(at)["fmt"] == "parquet"
