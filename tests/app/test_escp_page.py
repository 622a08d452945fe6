"""The cluster-partnership page in AppTest: controls, URL state, views, session import."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest

from mapping import escp
from tests.conftest import view

pytestmark = pytest.mark.integration


@pytest.fixture
def open_page(app_test):
    return functools.partial(app_test, "pages/escp.py")


def frame_with(at, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has ``column`` (the programme overview comes first on every tab)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_defaults_say_the_record_is_a_sample(open_page):
    at = open_page()
    assert any("verified sample" in w.value for w in at.warning)
    assert "predecessor" not in view(at)["programmes"]
    assert view(at)["tab"] == "countries" and view(at)["full"] == "0"
    assert len(at.get("plotly_chart")) == 3
    overview = at.dataframe[0].value
    assert {"organisations listed", "organisations expected", "organisations coverage"} <= set(overview.columns)


def test_full_lists_only_lowers_the_counts(open_page):
    everything = open_page()
    full = open_page(full="1")
    a = everything.get("plotly_chart")[2].proto.spec
    b = full.get("plotly_chart")[2].proto.spec
    assert a != b
    assert any("Only partnerships whose full member list" in c.value for c in full.caption)


def test_measure_control_and_url_round_trip(open_page):
    at = open_page()
    at.selectbox(key="w_metric").set_value("participations_per_million").run()
    assert view(at)["metric"] == "participations_per_million"
    again = open_page(**view(at))
    assert again.selectbox(key="w_metric").value == "participations_per_million"


def test_partnerships_search_and_member_map(open_page):
    at = open_page(tab="partnerships", q="packaging", partnership="AdPack")
    table = frame_with(at, "acronym")
    assert len(table) >= 1 and (table["acronym"] == "AdPack").any()
    assert any("Members of AdPack" in m.value for m in at.markdown)
    members = frame_with(at, "member_country")
    assert set(members["member_country"].dropna()) >= {"DE", "CZ", "PT"}


def test_typing_a_search_filters_and_writes_the_link(open_page):
    """Regression: an empty search box used to be reset to the (empty) link on every rerun, so typing did nothing."""
    at = open_page(tab="partnerships")
    everything = len(frame_with(at, "acronym"))
    at.text_input(key="w_q").input("packaging").run()
    assert at.text_input(key="w_q").value == "packaging"
    assert 0 < len(frame_with(at, "acronym")) < everything
    assert view(at)["q"] == "packaging"


def test_compare_spain_poland_sweden(open_page):
    at = open_page(tab="compare", countries="ES,PL,SE")
    side = frame_with(at, "SE")
    assert list(side.columns) == ["ES", "PL", "SE"]
    assert side.loc["Participations", "ES"] > side.loc["Participations", "SE"]


def test_coparticipation_and_gap_views(open_page):
    co = open_page(tab="coparticipation")
    heat = json.loads(co.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heat["type"] == "heatmap" and "ES" in heat["x"]
    gap = open_page(tab="gap")
    table = gap.dataframe[-1].value
    assert {"cells_2plus", "participations", "gap_pp"} <= set(table.columns) and len(table) > 15


def test_a_session_import_changes_the_counts_and_the_db_does_not(open_page, real_db):
    before = real_db.read_bytes()
    extra = pd.DataFrame(
        [
            {
                **dict.fromkeys(escp.MEMBER_COLUMNS),
                "programme": "ESCP-4x",
                "generation": "1st wave",
                "partnership_acronym": f"NEW{i}",
                "member_organisation": f"Svensk Kluster {i}",
                "member_country": "SE",
                "role": "partner",
                "source_url": "https://example.org",
                "completeness": "full list on page",
                "line": i + 2,
            }
            for i in range(20)
        ]
    )
    base = frame_with(open_page(tab="compare", countries="ES,PL,SE"), "SE")
    at = open_page({"escp_import": extra, "escp_import_mode": "extend"}, tab="compare", countries="ES,PL,SE")
    after = frame_with(at, "SE")
    assert after.loc["Participations", "SE"] == base.loc["Participations", "SE"] + 20
    assert any("imported in this session" in i.value for i in at.info)
    assert real_db.read_bytes() == before


def test_bad_parameters(open_page):
    at = open_page(tab="nope", programmes="X,ESCP-4x (Excellence)", metric="zzz", countries="QQ")
    assert view(at)["tab"] == "countries" and view(at)["programmes"] == "ESCP-4x (Excellence)"
    assert len(at.info) >= 2


def _imported(**overrides) -> pd.DataFrame:
    row = {c: None for c in escp.MEMBER_COLUMNS} | {
        "programme": "ESCP-4x",
        "generation": "1st wave",
        "period": "2020-2022",
        "partnership_acronym": "TEST",
        "partnership_name": "Test partnership",
        "member_organisation": "Test cluster",
        "member_country": "ES",
        "role": "member",
        "source_url": "https://example.org",
        "completeness": "partial",
        "line": 2,
    }
    return pd.DataFrame([row | overrides])


@pytest.mark.parametrize(
    "case",
    [
        {"programme": "COSME Cluster Excellence 2015 (predecessor)"},  # a programme not selected
        {"member_organisation": None},  # a partnership-level row only
        {"member_country": None},  # no country
    ],
    ids=["unselected programme", "no organisation", "no country"],
)
@pytest.mark.parametrize("tab", ["countries", "partnerships", "coparticipation", "compare", "gap", "import"])
def test_a_replacing_import_never_breaks_a_view(app_test, case, tab):
    at = app_test(
        "pages/escp.py",
        session={"escp_import": _imported(**case), "escp_import_mode": "replace"},
        tab=tab,
        countries="ES,PL",
    )
    assert not at.exception
    forget = [b for b in at.button if "Forget the import" in b.label]
    assert forget, "the way back is on every view"
    forget[0].click().run()
    assert not at.exception and "escp_import" not in at.session_state


def _compare_count(open_page, code: str) -> int:
    side = frame_with(open_page(tab="compare", countries=f"{code},SE" if code != "SE" else "SE,ES"), code)
    return int(side.loc["Partnerships with a member", code])


@pytest.mark.parametrize(
    ("code", "searches"),
    [("PL", ["Poland", "Polska", "PL", "pl"]), ("EL", ["Greece", "Ελλάδα", "EL", "GR"]), ("CZ", ["Česko", "Czechia"])],
)
def test_search_by_country_counts_as_compare_countries(open_page, code, searches):
    """Issue 12: 'Poland' found 2, 'Polska' 0 and 'PL' 33 while Compare countries said 12."""
    expected = _compare_count(open_page, code)
    assert expected > 0
    for q in searches:
        at = open_page(tab="partnerships", q=q)
        table = frame_with(at, "acronym")
        assert len(table) == expected, q
        assert any(f"{expected} partnership" in c.value and code in c.value for c in at.caption), q


def test_search_by_organisation_and_country_with_words(open_page):
    """An organisation is found whatever the accents and case ("AEI TÈXTILS" by "aei textils")."""
    table = frame_with(open_page(tab="partnerships", q="aei textils"), "acronym")
    assert len(table) >= 3
    assert all("AEI TÈXTILS" in m for m in table["members (country)"])
    both = frame_with(open_page(tab="partnerships", q="España aei textils"), "acronym")
    assert len(both) == len(table)  # AEI Tèxtils is Spanish: the country adds no constraint
    none = frame_with(open_page(tab="partnerships", q="Sverige aei textils"), "acronym")
    assert len(none) == 0


def test_country_filter_on_partnerships(open_page):
    at = open_page(tab="partnerships", country="PL")
    assert len(frame_with(at, "acronym")) == _compare_count(open_page, "PL")
    assert at.selectbox(key="w_country").value == "PL"
    at.selectbox(key="w_country").set_value("SE").run()
    assert view(at)["country"] == "SE"
    assert len(frame_with(at, "acronym")) == _compare_count(open_page, "SE")


def test_partnership_table_shows_no_none_or_nan(open_page):
    """Issue 12 (9): tables showed `None`; the members listing showed "(nan)" for a member without a country.
    A missing value is sent as missing and shown with the table's placeholder, "–"."""
    import pyarrow as pa

    at = open_page(tab="partnerships")
    table = next(d for d in at.dataframe if "acronym" in d.value.columns)
    data = pa.ipc.open_stream(table.proto.arrow_data.data).read_all().to_pandas()
    cells = data.select_dtypes(exclude="number").stack().astype(str)
    assert not cells.str.contains(r"\b(?:None|nan|NaN)\b").any(), cells[cells.str.contains(r"\b(?:None|nan)\b")]
    assert data["target_markets"].isna().any() and table.proto.placeholder == "–"
