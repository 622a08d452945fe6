"""Scoreboard and compare pages in AppTest: controls, URL round trips, peers and scorecard."""

from __future__ import annotations

import json

import pytest

from tests.conftest import view

pytestmark = pytest.mark.integration


def params(at):
    return view(at)


def test_scoreboard_defaults_and_controls(app_test):
    at = app_test("pages/scoreboard.py")
    assert (view(at)["score"], view(at)["norm"], view(at)["region"]) == (
        "overall",
        "minmax",
        "DE21",
    )
    at.selectbox(key="w_score").set_value("digital").run()
    at.selectbox(key="w_norm").set_value("zscore").run()
    at.selectbox(key="w_country").set_value("ES").run()
    at.selectbox(key="w_region").set_value("ES51").run()
    assert not at.exception
    first = params(at)
    assert first["score"] == "digital" and first["country"] == "ES" and first["region"] == "ES51"
    codes = [k.split("|")[0] for k in json.loads(at.get("plotly_chart")[0].proto.spec)["data"][-1]["locations"]]
    assert codes and all(c.startswith("ES") for c in codes)
    again = app_test("pages/scoreboard.py", **first)
    assert params(again) == first


def test_region_profile_peers_and_scorecard(app_test):
    at = app_test("pages/scoreboard.py", region="PL91")
    labels = {m.label: m.value for m in at.metric}
    assert labels["Overall score"] and labels["Rank in PL"].startswith("1 /")
    assert {"Strengths", "Weaknesses", "Neutral"} <= set(labels)
    peers_text = next(m.value for m in at.markdown if m.value.startswith("**Peers**"))
    assert "the 5 most similar regions" in peers_text
    assert any("Focus areas" in m.value for m in at.markdown)
    assert any(b.label.startswith("Profile as one HTML") for b in at.get("download_button"))


def test_peers_can_be_replaced_and_other_countries_only(app_test):
    at = app_test("pages/scoreboard.py", region="PL91", peers="DE21,FR10")
    peers_text = next(m.value for m in at.markdown if m.value.startswith("**Peers**"))
    assert "chosen by you" in peers_text and "(DE21)" in peers_text and "(FR10)" in peers_text
    at = app_test("pages/scoreboard.py", region="PL91", foreign="1")
    peers_text = next(m.value for m in at.markdown if m.value.startswith("**Peers**"))
    assert "(PL" not in peers_text


def test_more_than_five_chosen_peers_are_cut_with_a_notice(app_test):
    at = app_test("pages/scoreboard.py", region="PL91", peers="DE21,FR10,ES30,ITC4,SE11,NL32")
    assert len(view(at)["peers"].split(",")) == 5
    assert any("kept the first 5" in i.value for i in at.info)


def test_compare_page(app_test):
    at = app_test("pages/compare.py", regions="DE21,FR10,ES30,PL91,SE11", chart="parallel", dim="economy")
    charts = at.get("plotly_chart")
    first = json.loads(charts[0].proto.spec)["data"][0]
    assert first["type"] == "parcoords" and len(first["dimensions"]) == 6
    bars = json.loads(charts[1].proto.spec)["data"]
    assert len(bars) == 5 and len(bars[0]["y"]) == 5  # 5 regions x 5 economy indicators
    table = at.dataframe[0].value
    assert list(table.index) == ["DE21", "FR10", "ES30", "PL91", "SE11"]
    again = app_test("pages/compare.py", **params(at))
    assert params(again) == params(at)


@pytest.mark.parametrize("region", ["DE21", "PL91"])
def test_compare_opened_from_a_region_lists_it_once_first(app_test, region):
    at = app_test("pages/compare.py", region=region)
    table = at.dataframe[0].value
    assert table.index[0] == region and table.index.is_unique and len(table) == 4


def test_compare_needs_two_regions(app_test):
    at = app_test("pages/compare.py", regions="DE21")
    assert any("at least two" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_link_from_the_scoreboard_carries_region_and_peers(app_test):
    at = app_test("pages/scoreboard.py", region="PL91")
    link = next(p for p in at.get("page_link") if p.proto.label == "Compare with the peers")
    assert "regions=PL91%2C" in link.proto.query_string or "regions=PL91," in link.proto.query_string
