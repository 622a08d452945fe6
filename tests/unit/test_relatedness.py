"""Proximity, relatedness density, complexity, groups and opportunities on five regions x three sectors computed
by hand.

Persons employed, one year (2014), 100 per region, E = 500; LQ = (e_rs / 100) / (E_s / 500) = 5 e_rs / E_s:

    region   A    B    C     LQ A              LQ B              LQ C            specialised (LQ >= 1)
    R1      40   40   20     200/125 = 1.6     200/135 = 1.48    100/240 = 0.42   A B
    R2      60   20   20     300/125 = 2.4     100/135 = 0.74    0.42             A
    R3       5   45   50     25/125  = 0.2     225/135 = 1.67    250/240 = 1.04   B C
    R4      10   15   75     0.4               0.56              375/240 = 1.56   C
    R5      10   15   75     0.4               0.56              1.56             C
    E_s    125  135  240

Specialised regions k_A = 2, k_B = 2, k_C = 3. Proximity = both / max(k_a, k_b):
phi_AB = 1/2, phi_AC = 0/3 = 0, phi_BC = 1/3 (R3).

Density d_rs = 100 sum_j phi_sj x_rj / sum_j phi_sj:
    A (sum 1/2):       R1 100, R2 0, R3 100, R4 0, R5 0
    B (sum 1/2 + 1/3): R1 and R2 (hold A) 60, R3 R4 R5 (hold C) 40
    C (sum 1/3):       R1 100, R2 0, R3 100, R4 0, R5 0

Complexity: k_r = 2, 1, 2, 1, 1; M~_ss' = (1/k_s) sum_r M_rs M_rs' / k_r =
    [[3/4, 1/4, 0], [1/4, 1/2, 1/4], [0, 1/6, 5/6]]
rows sum to 1 (eigenvalue 1, the constant vector); trace 25/12, det 11/48, so the other two eigenvalues solve
48 l^2 - 52 l + 11 = 0: l2 = (52 + sqrt(592)) / 96. C, the most ubiquitous, is the least complex.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mapping import relatedness as rel
from tests.unit.test_clusters_sql import make_db

PERSONS = {
    "R1": (40, 40, 20),
    "R2": (60, 20, 20),
    "R3": (5, 45, 50),
    "R4": (10, 15, 75),
    "R5": (10, 15, 75),
}
SECTORS = ("C10", "C20", "C29")  # A, B, C
A, B, C = SECTORS
CELLS = [(r, s, p, 1, 1.0, None) for r, ps in PERSONS.items() for s, p in zip(SECTORS, ps, strict=True)]


@pytest.fixture(scope="module")
def con():
    c = make_db(CELLS, sectors=SECTORS)
    yield c
    c.close()


@pytest.fixture(scope="module")
def density(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM relatedness_density('division', 2014)").df()


def test_proximity_by_hand(con):
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df().set_index(["sector_a", "sector_b"])
    assert len(p) == 6  # ordered pairs, no sector with itself
    assert p.loc[(A, B), "proximity"] == pytest.approx(0.5)
    assert p.loc[(A, C), "proximity"] == 0
    assert p.loc[(B, C), "proximity"] == pytest.approx(1 / 3)
    assert p.loc[(C, B), "proximity"] == pytest.approx(1 / 3)  # symmetric
    assert p.loc[(B, C), ["regions_a", "regions_b", "regions_both"]].tolist() == [2, 3, 1]


def test_density_by_hand(density):
    d = density.set_index(["region_code", "sector"])["density"]
    expected = {
        A: [100, 0, 100, 0, 0],
        B: [60, 60, 40, 40, 40],
        C: [100, 0, 100, 0, 0],
    }
    for sector, values in expected.items():
        got = [d[(r, sector)] for r in PERSONS]
        assert got == pytest.approx(values), sector
    spec = density.set_index(["region_code", "sector"])["specialised"]
    assert spec[("R3", C)] and not spec[("R3", A)] and spec[("R1", B)]


def test_an_unknown_cell_is_not_a_specialisation(con):
    cells = [c if (c[0], c[1]) != ("R1", B) else ("R1", B, None, None, None, "c") for c in CELLS]
    other = make_db(cells, sectors=SECTORS)
    d = other.execute("SELECT * FROM relatedness_density('division', 2014)").df().set_index(["region_code", "sector"])
    assert pd.isna(d.loc[("R1", B), "specialised"])  # unknown, not False
    p = other.execute("SELECT * FROM sector_proximity('division', 2014)").df().set_index(["sector_a", "sector_b"])
    assert p.loc[(A, B), "regions_both"] == 0 and p.loc[(A, B), "regions_b"] == 1  # R1 no longer counts for B
    other.close()


def test_complexity_is_the_second_eigenvector_by_hand(density):
    cx = rel.complexity(density, min_regions=1)
    z = cx.sectors.set_index("sector")["complexity"].loc[list(SECTORS)].to_numpy()
    m = np.array([[3 / 4, 1 / 4, 0], [1 / 4, 1 / 2, 1 / 4], [0, 1 / 6, 5 / 6]])
    lam = (52 + math.sqrt(592)) / 96
    # standardised: an eigenvector shifted by its mean; M~ (z + c) = lam z + c for the constant c (eigenvalue 1)
    shift = (m @ z - lam * z) / (1 - lam)
    assert np.allclose(shift, shift[0])  # the same constant for every sector: z - mean is the eigenvector
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1)
    assert z.argmin() == 2  # C, specialised in by 3 regions, is the least complex
    regions = cx.regions.set_index("region_code")
    assert regions.loc[["R1", "R2", "R3", "R4", "R5"], "diversity"].tolist() == [2, 1, 2, 1, 1]
    raw = np.array([(z[0] + z[1]) / 2, z[0], (z[1] + z[2]) / 2, z[2], z[2]])  # mean of the specialised sectors'
    assert regions["complexity"].loc[["R1", "R2", "R3", "R4", "R5"]].to_numpy() == pytest.approx(
        (raw - raw.mean()) / raw.std()
    )


def test_sectors_with_too_few_specialised_regions_are_flagged_not_ranked(density):
    cx = rel.complexity(density, min_regions=3)  # only C has 3 specialised regions: too few sectors left to rank
    assert cx.sectors.set_index("sector")["flagged"].to_dict() == {A: True, B: True, C: False}
    assert cx.sectors["complexity"].isna().all()


def test_reflections_rank_like_the_eigenvector(density):
    cx = rel.complexity(density, min_regions=1)
    z = cx.sectors.set_index("sector")["complexity"]
    s = rel.reflections(rel.matrix(density), 20)
    assert list(s.sort_values().index) == list(z.sort_values(ascending=False).index)  # high k_s,2n = ubiquitous


def test_groups_and_strong_clusters_in_related_industries(density, con):
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df()
    g = rel.groups(p, resolution=1.0)
    assert set(g["sector"]) == set(SECTORS)
    again = rel.groups(p, resolution=1.0)
    assert g.equals(again)  # fixed seed
    manual = pd.DataFrame({"sector": [A, B, C], "group": [1, 1, 2]})
    found = rel.related_clusters(density, manual, min_sectors=2)
    assert found[["region_code", "group", "sectors", "held", "group_size"]].values.tolist() == [
        ["R1", 1, f"{A}, {B}", 2, 2]
    ]  # R3 holds B and C, but in different groups
    assert found["persons"].tolist() == [80]
    assert rel.related_clusters(density, manual, min_sectors=1)["region_code"].tolist() == [
        "R1", "R2", "R3", "R3", "R4", "R5"
    ]  # fmt: skip


def test_opportunities_rank_by_density_with_their_why(density, con):
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df()
    cx = rel.complexity(density, min_regions=1)
    opp = rel.opportunities(density, p, cx, "R2")  # holds A only
    assert opp["sector"].tolist() == [B, C]
    assert opp["density"].tolist() == pytest.approx([60, 0])
    assert opp["related_held"].tolist() == [f"{A} (0.50)", ""]


def test_layout_is_the_same_on_every_call(con):
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df()
    first, second = rel.layout(p), rel.layout(p)
    assert first.equals(second) and set(first["sector"]) == set(SECTORS)


def test_opportunities_of_a_region_that_holds_nothing(density, con):
    """Issue 16 (found by the region dashboard on FRY1): a region with no specialised sector, or none in the data,
    has no reasons to give; grouping nothing gave a frame and ``map`` raised."""
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df()
    cx = rel.complexity(density, min_regions=1)
    held_nothing = density.assign(specialised=density["specialised"].where(density["region_code"] != "R4", False))
    opp = rel.opportunities(held_nothing, p, cx, "R4")
    assert opp["sector"].tolist()[:1] and set(opp["related_held"]) == {""}
    assert rel.opportunities(density, p, cx, "XX99").empty
