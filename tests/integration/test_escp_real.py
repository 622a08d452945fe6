"""ESCP counts on the real build against an independent count of the sources-folder CSV."""

from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest

from mapping import config, db, escp

pytestmark = pytest.mark.integration
PREDECESSOR = "COSME Cluster Excellence Programme (2015 projects)"


@pytest.fixture(scope="module")
def members(real_db):
    con = db.connect(real_db)
    try:
        yield escp.prepare(db.query(con, "escp_members_all")), db.query(con, "escp_partnership_list")
    finally:
        con.close()


def raw_rows():
    with (config.sources_dir() / "escp" / "escp_members_compiled.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_participations_by_country_match_the_csv(members):
    m, _ = members
    rows = [
        r
        for r in raw_rows()
        if r["member_organisation"].strip()
        and not r["role"].lower().startswith("affiliated")
        and r["programme"] != PREDECESSOR
    ]
    expected = Counter(r["member_country"] or "??" for r in rows)
    scoped = m[m["programme"] != escp.programme(PREDECESSOR)]
    got = escp.country_table(scoped).groupby("country")["participations"].sum()
    assert got.to_dict() == dict(expected)
    assert got.sum() == len(rows) == 340 - 12 - 26  # member rows - affiliated entities - predecessor projects


def test_programme_totals(members):
    m, p = members
    summary = escp.programme_summary(m, p, pd.read_csv(config.DATA_DIR / "escp_expected.csv")).set_index("programme")
    assert summary["partnerships listed"].sum() == 81
    row = summary.loc["ESCP-4i (Going International)"]
    assert row["partnerships expected"] == 25 + 23 + 24 + 14
    assert 0.25 < row["organisations coverage"] < 0.45  # "about a third" (SOURCES.md)


def test_full_lists_are_a_subset_with_fewer_participations(members):
    m, p = members
    full = escp.complete_partnerships(m, p)
    assert 20 < len(full) < 81
    assert escp.country_table(m, only=full)["participations"].sum() < escp.country_table(m)["participations"].sum()
