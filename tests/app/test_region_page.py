"""The region dashboard (issue 16) in AppTest on the real DB: Stuttgart's sections and numbers, the links to and
from every page with the region kept, Add all to the deck, missing data said, bad links, and every NUTS 2 region."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from mapping import db
from mapping.config import PROJECT_ROOT
from mapping.countries import EU27
from mapping.deck import model
from mapping.deck.capture import capture
from mapping.ui.deck_state import KEY
from tests.conftest import view
from tests.robustness.test_visitor_text import _leaks

pytestmark = pytest.mark.integration

SECTIONS = ["Key figures", "Where it stands", "Cluster portfolio", "Scoreboard profile", "Trends"]
CHUNKS = 6  # the all-regions test in parts, so that test workers share it


def links(at: AppTest) -> dict[str, dict[str, str]]:
    """The page links drawn in the main area: label -> (page, parameters)."""
    out = {}
    for link in at.main.get("page_link"):
        params = {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
        out[link.proto.label] = {"page": link.proto.page, **params}
    return out


def test_stuttgart_has_every_section_with_ranks_from_the_data(app_test, real_db):
    at = app_test("pages/region.py", region="DE11")
    assert [h.value for h in at.subheader][:5] == SECTIONS
    assert any(h.value.startswith("Cluster partnerships in DE") for h in at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["GDP per head (PPS, EU27 = 100)"] == "145"
    assert metrics["Overall scoreboard score (0-1)"] not in ("", "–")
    # The ranks, recomputed from the map's values of the same indicator and year: EU and within Germany.
    con = db.connect(real_db)
    values = db.query(con, "map_values", indicator="eurostat.gdp_pps_hab_eu", year=2023, level=2)
    regions = db.query(con, "region_lookup")
    regions = set(regions.loc[~regions["is_unit"].astype(bool), "code"])  # units of older tables are not ranked
    values = values[values["value"].notna() & values["country"].isin(EU27) & values["code"].isin(regions)]
    mine = float(values.loc[values["code"] == "DE11", "value"].iloc[0])
    eu_rank = int((values["value"] > mine).sum()) + 1
    de = values[values["country"] == "DE"]
    de_rank = int((de["value"] > mine).sum()) + 1
    captions = " ".join(c.value for c in at.caption)
    assert f"EU rank {eu_rank} of {len(values)}" in captions
    assert f"DE rank {de_rank} of {len(de)}" in captions
    # Four figures (locator, distribution, dimension scores, trends of four indicators); the starred sectors keep
    # their breaks in series.
    assert len(at.get("plotly_chart")) == 4
    trends = json.loads(at.get("plotly_chart")[3].proto.spec)
    assert {t["xaxis"] for t in trends["data"]} == {"x", "x2", "x3", "x4"}
    tables = [t for t in at.table]
    brief = next(t for t in tables if "Break in series" in t.value.columns)
    assert brief.value.index[0] in ("C29", "C28") and len(brief.value) == 10
    assert not at.info, [i.value for i in at.info]  # nothing missing for Stuttgart


def test_every_section_links_to_its_full_view_with_the_region(app_test):
    at = app_test("pages/region.py", region="DE11", year="2021")
    found = links(at)
    assert {v["page"] for v in found.values()} == {"map", "clusters", "related", "scoreboard", "compare", "escp"}
    for label, params in found.items():
        assert params.get("region") == "DE11" or params.get("regions", "").startswith("DE11,"), label
    clusters = found["Full view: Clusters, region view"]
    assert clusters["tab"] == "region" and clusters["year"] == "2014" and clusters["country"] == "DE"


@pytest.mark.parametrize(
    ("page", "params", "session"),
    [
        ("pages/scoreboard.py", {"region": "PL91"}, {}),
        ("pages/clusters.py", {"tab": "region", "region": "PL91"}, {}),
        ("pages/clusters.py", {"tab": "trends", "region": "PL91"}, {}),
        ("pages/related.py", {"tab": "region", "region": "PL91"}, {}),
        ("pages/compare.py", {"regions": "PL91,DE11"}, {}),
        ("pages/map.py", {"region": "PL91"}, {}),
    ],
)
def test_other_pages_link_to_the_dashboard_of_their_region(app_test, page, params, session):
    at = app_test(page, session, **params)
    dash = [link for link in at.main.get("page_link") if link.proto.label.startswith("Region dashboard")]
    assert dash, "no link to the region dashboard"
    # Clusters hold Warsaw's area as PL12 (NUTS 2013, split into PL91 and PL92): both dashboards are linked.
    targets = [parse_qs(link.proto.query_string)["region"] for link in dash]
    assert ["PL91"] in targets, targets
    assert {link.proto.page for link in dash} == {"region"}


def test_the_dashboard_goes_into_the_deck_in_one_press(app_test):
    at = app_test("pages/region.py", {"_run_page": "region"}, region="FR10")
    figures = [json.loads(p.proto.spec) for p in at.get("plotly_chart")]
    at.button(key="rg_deck_all").click().run()
    slides = at.session_state[KEY].slides
    assert len(slides) == len(figures) == 4
    for slide in slides:
        page, params = model.page_of(slide.link)
        assert page == "pages/region.py" and params["region"] == "FR10" and params["figure"].startswith("rg_")
    assert slides[0].title == "Ile-de-France (FR10) in FR"
    # The deck builder rebuilds a slide from its link alone, as the Deck page's export does.
    view = capture(slides[1].link)
    assert view.key == "rg_distribution" and view.title == slides[1].title and "Source:" in view.caption


@pytest.mark.parametrize(
    ("code", "said"),
    [
        # an outermost region: the RIS publishes France at NUTS 1 only
        ("FRY1", ["Regional Innovation Index: published for FRY, which contains this region"]),
        ("NL35", ["Population: no value", "not among the scoreboard"]),  # a NUTS 2024 code
        ("PL91", ["Cluster portfolio: shown for PL12", "inside PL12"]),  # SBS holds the area under an older unit
        ("BA01", ["GDP per head (PPS, EU27 = 100): no value", "no recorded member organisation"]),
        ("DE1", ["the employment data are by NUTS 2"]),  # a NUTS 1 region
    ],
)
def test_missing_data_is_said_not_raised(app_test, code, said):
    at = app_test("pages/region.py", region=code)
    assert view(at)["region"] == code
    text = " ".join(t.value for t in at.text) + " ".join(i.value for i in at.info)
    for part in said:
        assert part.lower() in text.lower(), part
    assert [h.value for h in at.subheader][:5] == SECTIONS  # the sections that exist are still shown


def test_a_unit_handed_on_by_another_page_opens_its_first_member(app_test):
    """Clusters show Warsaw's area as PL12 (NUTS 2013) and write it into the shared region parameter; the sidebar
    carried it here, where it fell back to Stuttgart with a notice."""
    at = app_test("pages/region.py", region="PL12")
    assert view(at)["region"] == "PL91"
    assert any("PL12 is a unit of older data" in i.value for i in at.info)


def test_a_hostile_region_falls_back_with_a_notice_in_text(app_test):
    at = app_test("pages/region.py", region="[x](https://evil.example) <b>DE11</b>")
    notices = " ".join(i.value for i in at.info)
    assert "asked for region" in notices and view(at)["region"] == "DE11"
    assert _leaks(at) == []


def _nuts2(real_db) -> list[str]:
    lookup = db.query(db.connect(real_db), "region_lookup")
    rows = lookup[(lookup["level"] == 2) & ~lookup["is_unit"].astype(bool)]
    return sorted(set(rows["code"]))


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_nuts2_region_opens(real_db, monkeypatch, chunk):
    """Every NUTS 2 code of the build (2021 and 2024 versions, EU and the other countries the data cover) opens
    without an exception, shows its name and the sections, and lists what it lacks. One session per chunk, the
    link edited between runs as a visitor would."""
    monkeypatch.setenv("CLUSTERMAP_DB", str(real_db))
    codes = _nuts2(real_db)
    assert len(codes) >= 300
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/region.py")
    lacking = {}
    for code in codes[chunk::CHUNKS]:
        at.query_params["region"] = code
        at.run()
        assert not at.exception, (code, [e.value for e in at.exception])
        assert view(at)["region"] == code and not any("asked for" in i.value for i in at.info), code
        assert f"\\({code}\\)" in " ".join(m.value for m in at.markdown), code  # Markdown-escaped
        assert [h.value for h in at.subheader][:5] == SECTIONS, code
        # Every key figure shown as "–" is named in the box of what the data do not cover.
        blank = [m.label for m in at.metric if m.value == "–"]
        said = " ".join(t.value for t in at.text)
        assert all(f"{label}: no value" in said for label in blank), (code, blank)
        lacking[code] = blank
    # The sample has gaps of every kind the box reports, so the check above ran on real cases.
    assert any(lacking.values()) and not all(lacking.values())
