"""ESCP counting rules on a hand-made fixture, and the import validation."""

from __future__ import annotations

import pandas as pd
import pytest

from mapping import escp

URL = "https://example.org/p"


def member(prog, acr, org, country, role="partner", completeness="full list on page", generation="1st generation"):
    return {
        "programme": prog,
        "generation": generation,
        "period": "",
        "partnership_acronym": acr,
        "partnership_name": acr,
        "member_organisation": org,
        "member_country": country,
        "role": role,
        "source_url": URL,
        "note": None,
        "member_country_source": "stated on source page",
        "completeness": completeness,
    }


# Partnership A (ESCP-4i): Alpha (ES, coordinator), Beta (PL), Gamma (no country), an affiliated entity of Alpha.
# Partnership B (ESCP-4i): Alpha again (ES) + Delta (SE) - but one row is only 'partial'.
# Partnership C (ESCP-4x): "ALPHA " (same organisation, other spelling, ES, coordinator) + Beta (PL).
# Partnership D (ESCP-4x): a partnership-level fact row only.
ROWS = [
    member("ESCP-4i", "A", "Alpha Cluster", "ES", role="coordinator"),
    member("ESCP-4i", "A", "Beta Cluster", "PL"),
    member("ESCP-4i", "A", "Gamma Cluster", None),
    member("ESCP-4i", "A", "Alpha Labs", "ES", role="affiliated entity"),
    member("ESCP-4i", "B", "Alpha Cluster", "ES"),
    member("ESCP-4i", "B", "Delta Cluster", "SE", completeness="partial"),
    member("ESCP-4x", "C", "ALPHA  cluster!", "ES", role="coordinator (lead partner)", generation="1st wave"),
    member("ESCP-4x", "C", "Beta Cluster", "PL", generation="1st wave"),
    member("ESCP-4x", "D", None, None, role=None, completeness="partnership-level fact only", generation="1st wave"),
]
PARTNERSHIPS = pd.DataFrame(
    {
        "programme": ["ESCP-4i", "ESCP-4i", "ESCP-4x", "ESCP-4x"],
        "acronym": ["A", "B", "C", "D"],
        "members_expected": [3, None, 4, None],
    }
)


@pytest.fixture
def members():
    return escp.prepare(pd.DataFrame(ROWS))


def test_prepare_flags(members):
    assert members["programme"].tolist()[0] == "ESCP-4i (Going International)"
    assert members["programme"].tolist()[-1] == "ESCP-4x (Excellence)"
    assert members["is_member"].sum() == 7  # not the affiliated entity, not the fact row
    assert members["is_coordinator"].sum() == 2
    assert members.loc[0, "org_key"] == members.loc[6, "org_key"] == "alpha cluster"


def test_country_table_hand_counts(members):
    t = escp.country_table(members).set_index(["country", "programme"])
    es4i = t.loc[("ES", "ESCP-4i (Going International)")]
    # Alpha in A and in B: two participations, one organisation, two partnerships, one coordinator role.
    assert es4i[["participations", "organisations", "partnerships", "coordinators"]].tolist() == [2, 1, 2, 1]
    assert t.loc[("??", "ESCP-4i (Going International)"), "participations"] == 1  # Gamma: no country, still counted
    assert t.loc[("PL", "ESCP-4x (Excellence)"), "share_of_programme"] == 0.5  # Beta is 1 of 2 in ESCP-4x
    assert t["participations"].sum() == 7


def test_by_country_across_programmes(members):
    t = escp.country_table(members)
    pop = pd.DataFrame({"country": ["ES", "PL", "SE"], "population_m": [50.0, 40.0, 10.0]})
    c = escp.by_country(t, members, pop)
    assert c.loc["ES", ["participations", "organisations", "coordinators", "programmes"]].tolist() == [3, 1, 2, 2]
    assert c.loc["ES", "participations_per_million"] == pytest.approx(3 / 50)
    assert c.loc["PL", "participations"] == 2 and c.loc["SE", "participations"] == 1
    assert c["share"].sum() == pytest.approx(1.0)


def test_full_lists(members):
    full = escp.complete_partnerships(members, PARTNERSHIPS)
    # A: every row full and 3 members listed (Alpha, Beta, Gamma) = 3 expected -> full.
    # B: one row only partial -> not full. C: 2 listed < 4 expected -> not full. D: no member rows.
    assert full == {("ESCP-4i (Going International)", "A")}
    restricted = escp.country_table(members, only=full)
    assert restricted["participations"].sum() == 3


def test_scoped_counts_full_only(members):
    pop = pd.DataFrame({"country": ["ES", "PL", "SE"], "population_m": [50.0, 40.0, 10.0]})
    table, countries = escp.scoped_counts(members, PARTNERSHIPS, pop, full_only=True)
    assert table["participations"].sum() == 3  # partnership A only
    assert countries.loc["ES", "participations"] == 1 and "SE" not in countries.index
    table, countries = escp.scoped_counts(members, PARTNERSHIPS, pop, full_only=False)
    assert table["participations"].sum() == 7 and countries.loc["ES", "participations"] == 3


def test_partnership_listing(members):
    listing = escp.partnership_listing(members, PARTNERSHIPS).set_index("acronym")
    assert listing.loc["A", "members (country)"] == "Alpha Cluster (ES); Beta Cluster (PL); Gamma Cluster (?)"
    assert listing["full list"].to_dict() == {"A": True, "B": False, "C": False, "D": False}
    assert listing.loc["D", "members (country)"] == ""  # a fact row only: listed, no members


def test_co_participation(members):
    m = escp.co_participation(members)
    assert m.loc["ES", "PL"] == 2  # A and C
    assert m.loc["ES", "SE"] == 1 and m.loc["PL", "SE"] == 0
    assert m.loc["ES", "ES"] == 3  # partnerships with a Spanish member
    only_4x = escp.co_participation(members, programmes=["ESCP-4x (Excellence)"])
    assert only_4x.loc["ES", "PL"] == 1 and "SE" not in only_4x.index


def test_gap_table_arithmetic():
    countries = pd.DataFrame({"participations": [30, 10], "organisations": [20, 8]}, index=["AA", "BB"])
    clusters = pd.DataFrame(
        {"country": ["AA", "BB", "CC"], "cells_2plus": [10, 30, 60], "cells_3": [1, 2, 3], "regions_2plus": [1, 2, 3]}
    )
    g = escp.gap_table(countries, clusters)
    # cluster shares 0.1 / 0.3 / 0.6; participation shares 0.75 / 0.25 / 0
    assert g.loc["CC", "gap_pp"] == pytest.approx(60.0)
    assert g.loc["BB", "gap_pp"] == pytest.approx(5.0)
    assert g.loc["AA", "gap_pp"] == pytest.approx(-65.0)
    assert list(g.index) == ["CC", "BB", "AA"]
    assert g.loc["BB", "participations_per_100_clusters"] == pytest.approx(100 * 10 / 30)


def test_generation_keys():
    assert escp.generation_key("ESCP-4i", "3rd generation (call COS-CLUSINT-2019-3-01)") == "gen3"
    assert escp.generation_key("ESCP-4i", "2nd generation - defence/dual-use strand") == "gen2"
    assert escp.generation_key("European Cluster Partnership - Excellence", "2022 call") == "2022"


def test_programme_summary_against_expected(members):
    expected = pd.DataFrame(
        {
            "programme": ["ESCP-4i"],
            "generation_key": ["gen1"],
            "partnerships_expected": [25],
            "organisations_expected": [140],
            "countries_expected": [23],
            "source": ["doc"],
        }
    )
    s = escp.programme_summary(members, PARTNERSHIPS, expected).set_index("programme")
    row = s.loc["ESCP-4i (Going International)"]
    assert (row["partnerships listed"], row["partnerships expected"], row["organisations listed"]) == (2, 25, 4)
    assert row["member rows without a country"] == 1
    assert row["organisations coverage"] == pytest.approx(4 / 140)
    assert s.loc["ESCP-4x (Excellence)", "expected (source)"] == "no total found"


# --------------------------------------------------------------------------- import

KNOWN = {"ES", "PL", "SE", "DE"}


def csv_bytes(*rows: str, header: str = ",".join(escp.MEMBER_COLUMNS)) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def good(acr="X", org="Org", country="ES", url=URL, completeness="full list on page", role="partner"):
    return f"ESCP-4x,1st wave,2020,{acr},Name,{org},{country},{role},{url},,stated,{completeness}"


def test_import_good_rows():
    res = escp.read_members_csv(csv_bytes(good(), good(org="Other", country="")), known_countries=KNOWN)
    assert len(res.frame) == 2 and res.errors.empty and res.message == ""
    assert res.frame["line"].tolist() == [2, 3]
    assert pd.isna(res.frame.loc[1, "member_country"])


def test_import_reports_each_bad_row_with_its_line():
    data = csv_bytes(
        good(),
        good(country="XX"),  # line 3: unknown country
        good(org="=HYPERLINK(1)"),  # line 4: formula
        good(url="ftp://x"),  # line 5: not http(s)
        good(completeness="maybe"),  # line 6
        "ESCP-4x,too,few",  # line 7: wrong field count
        good(acr=""),  # line 8: empty acronym
    )
    res = escp.read_members_csv(data, known_countries=KNOWN)
    assert len(res.frame) == 1
    by_line = dict(zip(res.errors["line"], res.errors["reason"], strict=True))
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert "country code" in by_line[3] and "formula" in by_line[4] and "http" in by_line[5]
    assert "fields" in by_line[7] and "empty" in by_line[8]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x00\x00binary", "binary"),
        ("programme;x\n".encode("utf-16"), "binary"),
        (b"programme,partnership_acronym\nESCP-4x,A\n", "Missing column"),
        (b"programme,partnership_acronym\nESCP-4x,caf\xe9\n", "UTF-8"),  # Latin-1 bytes
    ],
)
def test_import_file_level_problems(data, message):
    res = escp.read_members_csv(data, known_countries=KNOWN)
    assert res.frame.empty and message in res.message


def test_import_size_limit():
    res = escp.read_members_csv(csv_bytes(good()), known_countries=KNOWN, max_bytes=10)
    assert "limit" in res.message and res.frame.empty


def test_combine_extend_and_replace():
    recorded = pd.DataFrame([member("ESCP-4i", "A", "Alpha", "ES")])
    imported = escp.read_members_csv(csv_bytes(good(acr="Z", org="Zeta", country="PL")), known_countries=KNOWN).frame
    assert len(escp.combine(recorded, imported, "extend")) == 2
    replaced = escp.combine(recorded, imported, "replace")
    assert replaced["partnership_acronym"].tolist() == ["Z"]
    assert escp.combine(recorded, pd.DataFrame(), "extend") is recorded
