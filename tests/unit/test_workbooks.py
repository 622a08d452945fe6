"""The Commission's workbooks read directly: RIS 2025 and 2023 layouts, EIS 2025, loose header spelling, and
clear failures (missing sheet or column, a file that is not a workbook). Workbooks are written by the test."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from mapping.db import connect
from mapping.ingest import build, workbook
from mapping.ingest.errors import BuildError
from mapping.ingest.manifest import load_manifest
from mapping.ingest.readers.rtd import _period_year
from tests.minisources import write_mini_sources

RIS_2025 = [
    ["Region code", "Region name", "Indicator code", "Year", "Value relative to EU in 2018"],
    ["DE11", "Stuttgart", "RII", 2025, 131.5],
    ["DE11", "Stuttgart", "1.2.1", 2025, 120.0],
    ["DE11", "Stuttgart", "4.1.1", 2025, 99.0],
    ["PL9", "Makroregion", "RII", 2025, 88.0],  # NUTS 1: kept under its own code
    ["EU", "European Union", "RII", 2025, 100.0],  # the aggregate: a benchmark, not drawn
    ["DE11", "Stuttgart", "RII", 2024, "NA"],  # "not available" as text
]
RIS_2023 = [
    [
        "Indicator",
        "Year",
        "Zone",
        "Country",
        "CountryName",
        "Region",
        "RegionName",
        "Level",
        "Value",
        "performance group",
    ],
    ["0 Summary Innovation Index", 2023, "EU", "DE", "Germany", "DE11", "Stuttgart", 1, 140.2, "Leader +"],
    ["1.2.1 International scientific co-publications", 2023, "EU", "DE", "Germany", "DE11", "Stuttgart", 1, 130.0, ""],
]
EIS_MAIN = [
    ["iso2", "country", "group", "year", "indicator_code", "indicator", "value", "performance group"],
    ["DE", "Germany", "eu", 2025, "SII", "Summary Innovation Index", 117.9, "Strong"],
    ["PL", "Poland", "eu", 2025, "1.1.1", "New doctorate graduates", 60.5, "Emerging"],
    ["EU27_2020", "EU", "eu", 2025, "SII", "Summary Innovation Index", 100.0, "EU"],
]
EIS_STRUCTURAL = [
    ["iso2", "country", "group", "indicator_code", "indicator", "period", "value", "performance group"],
    ["DE", "Germany", "eu", "5.6.1", "Population size", "2022-2024 average", 83_500_000.0, "Strong"],
    ["PL", "Poland", "eu", "5.2.5", "Buyer sophistication", "2015-17 average", 3.6, "Emerging"],
]


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    book.close()
    return path


def _source(sid: str, reader: str, file: str, prefix: str) -> str:
    return f"""
[[source]]
id = "{sid}"
title = "Test {sid}"
publisher = "Tests"
licence = "test"
attribution = "Source: tests"
url = "http://127.0.0.1/{sid}"
format = "xlsx"
nuts_version = "2024"
reader = "{reader}"
files = ["{file}"]
indicator_prefix = "{prefix}"
"""


@pytest.fixture
def with_workbooks(tmp_path: Path):
    src = tmp_path / "sources"
    write_mini_sources(src)
    manifest = src / "sources.toml"
    manifest.write_text(
        manifest.read_text()
        + _source("ris2025", "ris_workbook", "wb/RIS_web_download.xlsx", "ris2025")
        + _source("ris2023", "ris_workbook", "wb/RIS_2023.xlsx", "ris")
        + _source("eis2025", "eis_workbook", "wb/EIS_web_download.xlsx", "eis2025")
    )
    _xlsx(src / "wb" / "RIS_web_download.xlsx", {"RIS": RIS_2025})
    _xlsx(src / "wb" / "RIS_2023.xlsx", {"RIS": RIS_2023})
    _xlsx(src / "wb" / "EIS_web_download.xlsx", {"EIS": EIS_MAIN, "structural": EIS_STRUCTURAL})
    return src, tmp_path / "out.duckdb"


def _built(src: Path, db: Path, **kw):
    summary = build(src, db, manifest=load_manifest(src / "sources.toml"), progress=lambda _m: None, **kw)
    return summary, connect(db)


def test_ris_2025_codes_only_layout(with_workbooks):
    src, db = with_workbooks
    _, con = _built(src, db)
    rows = dict(
        ((r, i, y), v)
        for r, i, y, v in con.execute(
            "SELECT region_code, indicator_id, year, value FROM indicators WHERE source_id = 'ris2025'"
        ).fetchall()
    )
    assert rows[("DE11", "ris2025.0", 2025)] == 131.5  # RII is the summary index, id .0 as in RIS 2023
    assert rows[("PL9", "ris2025.0", 2025)] == 88.0
    assert ("DE11", "ris2025.0", 2024) not in rows  # "NA" is not available, not an error
    labels = dict(
        con.execute("SELECT indicator_id, label FROM indicator_catalog WHERE source_id = 'ris2025'").fetchall()
    )
    # The workbook gives codes only: names come from the 2025 framework, where 4.1.1 is no longer employment.
    assert labels["ris2025.0"] == "Regional Innovation Index"
    assert labels["ris2025.4.1.1"] == "Sales of new-to-market and new-to-firm innovations"
    unit = con.execute("SELECT unit FROM indicator_catalog WHERE indicator_id = 'ris2025.1.2.1'").fetchone()[0]
    assert unit == "normalised score (EU 2018 = 100)"
    aggregate = con.execute("SELECT nuts_version FROM indicators WHERE source_code = 'EU'").fetchall()
    assert aggregate == [("aggregate",)]
    con.close()


def test_ris_2023_layout_and_performance_groups(with_workbooks):
    src, db = with_workbooks
    _, con = _built(src, db)
    assert con.execute("SELECT value FROM indicators WHERE indicator_id = 'ris.0'").fetchall() == [(140.2,)]
    assert con.execute("SELECT performance_group, source_id FROM ris_performance").fetchall() == [
        ("Leader +", "ris2023")
    ]
    con.close()


def test_eis_2025_main_and_structural_sheets(with_workbooks):
    src, db = with_workbooks
    _, con = _built(src, db)
    got = set(
        con.execute(
            "SELECT region_code, indicator_id, year, value FROM indicators WHERE source_id = 'eis2025'"
        ).fetchall()
    )
    assert ("DE", "eis2025.0", 2025, 117.9) in got
    assert ("DE", "eis2025.5.6.1", 2024, 83_500_000.0) in got  # period "2022-2024 average" -> its last year
    assert ("PL", "eis2025.5.2.5", 2017, 3.6) in got  # "2015-17 average" -> 2017
    period = con.execute("SELECT reference_period FROM indicator_catalog WHERE indicator_id = 'eis2025.5.6.1'")
    assert period.fetchone()[0] == "2022-2024 average"
    con.close()


@pytest.mark.parametrize("spelling", ["Region.code", "region_code", "REGION CODE"])
def test_header_spelling_is_matched_loosely(with_workbooks, spelling):
    src, db = with_workbooks
    rows = [[spelling if c == "Region code" else c for c in RIS_2025[0]], *RIS_2025[1:]]
    _xlsx(src / "wb" / "RIS_web_download.xlsx", {"RIS": rows})
    _, con = _built(src, db)
    assert con.execute("SELECT count(*) FROM indicators WHERE source_id = 'ris2025'").fetchone()[0] == 5
    con.close()


def test_a_missing_column_fails_naming_sheet_and_header(with_workbooks):
    src, db = with_workbooks
    _xlsx(
        src / "wb" / "RIS_web_download.xlsx",
        {"RIS": [["Region code", "Indicator code", "Year", "Value"], ["DE11", "RII", 2025, 1]]},
    )
    with pytest.raises(BuildError, match=r"Value relative to EU in <year>.*header is") as err:
        _built(src, db)
    assert err.value.file.endswith("RIS_web_download.xlsx")


def test_a_missing_sheet_and_a_non_workbook_fail_clearly(with_workbooks, tmp_path):
    src, db = with_workbooks
    _xlsx(src / "wb" / "EIS_web_download.xlsx", {"Sheet1": [["a"], [1]]})
    with pytest.raises(BuildError, match=r"no sheet 'EIS' \(sheets: Sheet1\)"):
        _built(src, db)
    (src / "wb" / "EIS_web_download.xlsx").write_text("<html>Service unavailable</html>")
    with pytest.raises(BuildError, match="not a readable xlsx workbook"):
        _built(src, db)


def test_a_lenient_build_records_the_bad_workbook_and_loads_the_rest(with_workbooks):
    src, db = with_workbooks
    (src / "wb" / "RIS_web_download.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    summary, con = _built(src, db, allow_missing=True)
    assert summary.failed == ["ris2025"]
    status = dict(con.execute("SELECT source_id, status FROM sources").fetchall())
    assert status["ris2023"] == "loaded" and status["eis2025"] == "loaded"
    reason = con.execute("SELECT reason FROM sources WHERE source_id = 'ris2025'").fetchone()[0]
    assert reason.startswith("wb/RIS_web_download.xlsx: not a readable xlsx workbook")
    con.close()


@pytest.mark.parametrize(
    ("period", "year"),
    [("2022-2024 average", 2024), ("2021-23 average", 2023), ("2020", 2020), ("2015-17 average", 2017), ("n/a", None)],
)
def test_period_year(period, year):
    assert _period_year(period) == year


def test_row_numbers_are_excel_rows(tmp_path):
    path = _xlsx(tmp_path / "w.xlsx", {"S": [[], ["title"], [], ["code", "value"], ["AT", 1], ["BE", "x"]]})
    frame = workbook.read_sheet(path, "S", header_row=None, header_starts="code")
    assert frame["_row"].tolist() == [5, 6]
    with pytest.raises(BuildError, match=r"'x' is not a number \(row 6\)"):
        workbook.numbers(frame, "value", path, "S")
