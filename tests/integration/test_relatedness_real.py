"""Relatedness on the real build: the SQL macros equal an independent numpy computation from the raw employment
cells on every pair and every region x sector; complexity agrees with the method of reflections; the console
can call the macros."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mapping import db
from mapping import relatedness as rel
from mapping.console import Console

pytestmark = pytest.mark.integration
CASES = [("division", 2010), ("division", 2014), ("manufacturing", 2012), ("section", 2014)]


@pytest.fixture(scope="module")
def con(real_db):
    c = db.connect(real_db)
    yield c
    c.close()


def independent(con, sector_set: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """x, proximity and density from cluster_input (employment cells) with pandas and numpy only; region-years with
    fewer than half of the sectors published are left out (the coverage rule of cluster_cells)."""
    cells = con.execute(
        "SELECT g.region_code, g.nuts_version, x.nace, i.persons FROM cluster_input i "
        "JOIN cluster_region_ids g USING (rid) JOIN cluster_sector_ids x USING (nid) WHERE sector_set = ? AND year = ?",
        [sector_set, year],
    ).df()
    known_r = cells["persons"].notna().groupby([cells["region_code"], cells["nuts_version"]]).transform("sum")
    cells = cells[known_r >= 0.5 * cells["nace"].nunique()]
    known = cells.dropna(subset=["persons"])
    e = known.pivot_table(index=["region_code", "nuts_version"], columns="nace", values="persons", aggfunc="sum")
    lq = e.div(e.sum(axis=1), axis=0) / (e.sum(axis=0) / e.sum().sum())
    regions = pd.MultiIndex.from_frame(cells[["region_code", "nuts_version"]].drop_duplicates())
    x = (lq.reindex(index=regions, columns=sorted(cells["nace"].unique())) >= 1).astype(int)
    a = x.to_numpy()
    k = a.sum(axis=0)
    both = a.T @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = both / np.maximum.outer(k, k)
    np.fill_diagonal(phi, np.nan)
    prox = pd.DataFrame(phi, index=x.columns, columns=x.columns).stack(future_stack=True).rename("proximity")
    prox.index.names = ["sector_a", "sector_b"]
    prox = prox.drop([(s, s) for s in x.columns])
    w = np.nan_to_num(phi)
    with np.errstate(invalid="ignore", divide="ignore"):
        dens = 100 * (a @ w) / w.sum(axis=0)
    density = pd.DataFrame(dens, index=x.index.get_level_values(0), columns=x.columns).stack().rename("density")
    density.index.names = ["region_code", "sector"]
    present = pd.MultiIndex.from_frame(cells[["region_code", "nace"]], names=["region_code", "sector"])
    return prox.to_frame(), density.loc[present].to_frame()


@pytest.mark.parametrize(("sector_set", "year"), CASES)
def test_macros_equal_an_independent_computation(con, sector_set, year):
    prox, dens = independent(con, sector_set, year)
    sql_p = con.execute("SELECT * FROM sector_proximity(?, ?)", [sector_set, year]).df()
    sql_d = con.execute("SELECT * FROM relatedness_density(?, ?)", [sector_set, year]).df()
    p = sql_p.set_index(["sector_a", "sector_b"])["proximity"]
    assert len(p) == len(prox) > 100
    assert np.allclose(p.loc[prox.index].astype(float), prox["proximity"], equal_nan=True)
    d = sql_d.set_index(["region_code", "sector"])["density"]
    assert len(d) == len(dens) > 1000
    assert np.allclose(d.loc[dens.index].astype(float), dens["density"], equal_nan=True)


def test_cluster_lq_is_the_lq_of_cluster_cells(con):
    lq = con.execute(
        """SELECT c.lq AS a, l.lq AS b FROM cluster_cells('division', 2.0, 10, 75, 25, only_year := 2014) c
           JOIN cluster_region_ids g ON g.region_code = c.region_code AND g.nuts_version = c.nuts_version
           JOIN cluster_sector_ids x ON x.nace = c.nace
           JOIN cluster_lq l ON l.sector_set = 'division' AND l.year = 2014 AND l.rid = g.rid AND l.nid = x.nid"""
    ).df()
    assert len(lq) > 15_000 and np.allclose(lq["a"], lq["b"], equal_nan=True)


def test_complexity_agrees_with_the_method_of_reflections(con):
    d = con.execute("SELECT * FROM relatedness_density('division', 2014)").df()
    cx = rel.complexity(d)
    ranked = cx.sectors[~cx.sectors["flagged"]].set_index("sector")["complexity"]
    m = rel.matrix(d)[ranked.index]
    m = m[m.sum(axis=1) > 0]
    generalised_ubiquity = rel.reflections(m, 20)
    assert generalised_ubiquity.rank().corr(ranked.rank()) < -0.99
    # Knowledge-intensive services above textiles; the capital regions among the most complex.
    assert ranked["J62"] > 1 > -1 > ranked["C14"]
    top = cx.regions.nlargest(15, "complexity")["region_code"]
    assert {"UKI3", "BE10", "SE11"} <= set(top)


def test_stuttgart_holds_the_car_industry_and_is_close_to_research(con):
    d = con.execute("SELECT * FROM relatedness_density('division', 2014)").df()
    p = con.execute("SELECT * FROM sector_proximity('division', 2014)").df()
    mine = d[d["region_code"] == "DE11"].set_index("sector")
    assert mine.at["C29", "specialised"] and mine.at["C28", "specialised"]
    opp = rel.opportunities(d, p, rel.complexity(d), "DE11")
    assert "M72" in opp["sector"].head(5).tolist()
    assert "J62" in opp.set_index("sector").at["M72", "related_held"]


def test_the_console_may_call_the_macros(real_db):
    console = Console(real_db, workers=1)
    try:
        near = console.run("SELECT * FROM sector_proximity('division', 2014) ORDER BY proximity DESC LIMIT 3").frame
        dens = console.run("SELECT * FROM relatedness_density('division', 2014) WHERE region_code = 'DE11'").frame
    finally:
        console.close()
    assert len(near) == 3 and near["proximity"].iloc[0] > 0.6
    assert len(dens) == 68 and set(dens.columns) >= {"region_code", "sector", "density", "specialised"}


@pytest.mark.parametrize("sector_set", ["division", "section", "manufacturing"])
def test_the_builds_matrix_density_equals_the_sql_definition(con, sector_set):
    """cluster_density (numpy, a matrix product per year) against density_ids (the SQL join) on every cell."""
    d = con.execute(
        """SELECT s.density AS sql_density, t.density AS built
           FROM density_ids($s, NULL) s
           FULL JOIN (SELECT * FROM cluster_density WHERE sector_set = $s) t
             ON t.yr = s.yr AND t.rid = s.rid AND t.nid = s.nid""",
        {"s": sector_set},
    ).df()
    assert len(d) > 20_000
    assert np.allclose(d["sql_density"], d["built"], rtol=1e-12, atol=1e-9, equal_nan=True)
