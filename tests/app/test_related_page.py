"""The related-sectors page in AppTest: the four views, URL round trip, a visitor's bad values."""

from __future__ import annotations

import functools
import json

import pytest

from tests.conftest import view

pytestmark = pytest.mark.integration


@pytest.fixture
def open_page(app_test):
    return functools.partial(app_test, "pages/related.py")


def chart(at, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_network_coloured_by_stuttgart(open_page):
    at = open_page()
    assert not at.exception
    p = view(at)
    assert (p["tab"], p["set"], p["year"], p["region"], p["by"], p["phi"]) == (
        "network", "division", "2014", "DE11", "region", "0.5"
    )  # fmt: skip
    names = [t.get("name") for t in chart(at)["data"] if t.get("mode") == "markers+text"]
    assert names[:2] == ["Specialised", "Not specialised"]
    specialised = next(t for t in chart(at)["data"] if t.get("name") == "Specialised")
    assert {"C29", "C28"} <= set(specialised["text"])


def test_links_follow_the_threshold_and_the_layout_stays(open_page):
    at = open_page()
    nodes = next(t for t in chart(at)["data"] if t.get("name") == "Specialised")
    at.selectbox(key="w_phi").set_value(0.3).run()
    assert view(at)["phi"] == "0.3"
    moved = next(t for t in chart(at)["data"] if t.get("name") == "Specialised")
    assert moved["x"] == nodes["x"] and moved["y"] == nodes["y"]  # computed once per set and year
    captions = " ".join(c.value for c in at.caption)
    assert "links with proximity ≥ 0.3" in captions or "links with proximity >= 0.3" in captions


def test_region_view_lists_opportunities_with_their_why(open_page):
    at = open_page(tab="region", region="FR10")
    assert not at.exception
    assert any("Relatedness and complexity" in m.value and "FR10" in m.value for m in at.markdown)  # card title
    table = at.dataframe[0].value
    assert len(table) == 20 and (table["related_held"].str.len() > 0).all()
    assert table["density"].is_monotonic_decreasing


def test_sector_view_and_groups_view(open_page):
    at = open_page(tab="sector", sector="C28")
    assert not at.exception
    bars = chart(at)["data"][0]
    assert len(bars["y"]) == 10 and bars["y"][-1].startswith(("C2", "C3"))  # the closest is drawn on top
    at = open_page(tab="groups", minsec="3")
    assert not at.exception and view(at)["minsec"] == "3"
    assert any(m.label.startswith("Strong clusters in related industries") for m in at.metric)
    assert any(m.value == "3,043" for m in at.metric)


@pytest.mark.parametrize(
    "params",
    [
        {"region": "[x](https://evil.example/)"},
        {"tab": "<script>alert(1)</script>"},
        {"set": "nope", "year": "1800"},
        {"phi": "-1", "res": "1e9", "tab": "groups", "minsec": "999"},
    ],
)
def test_bad_values_fall_back_with_a_text_notice(open_page, params):
    at = open_page(**params)
    assert not at.exception
    assert "region" not in params or view(at)["region"] == "DE11"
    notices = [a.value for a in at.info]
    assert notices and all("](" not in n.replace("\\](", "") for n in notices)  # escaped, not a link
