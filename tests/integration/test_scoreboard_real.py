"""The scoreboard on the real build: every score can be traced to listed inputs."""

from __future__ import annotations

import numpy as np
import pytest

from mapping import db
from mapping import scoreboard as sb

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def loaded(real_db):
    con = db.connect(real_db)
    try:
        yield sb.load(lambda name, **p: db.query(con, name, **p))
    finally:
        con.close()


def test_every_score_has_its_inputs_listed(loaded):
    board, fw = loaded.board, loaded.framework
    assert len(board.universe) == 242 and board.overall.notna().sum() >= 230
    for dim in fw.dimensions:
        ids = [s.id for s in dim.indicators]
        weights = np.array([s.weight for s in dim.indicators])
        for region in board.dims.index[board.dims[dim.id].notna()]:
            norm = board.norm.loc[region, ids].to_numpy(dtype=float)
            raw = board.raw.loc[region, ids].to_numpy(dtype=float)
            used = ~np.isnan(norm)
            assert used.any() and (~np.isnan(raw[used])).all(), (region, dim.id)
            expected = (norm[used] * weights[used]).sum() / weights[used].sum()
            assert board.dims.loc[region, dim.id] == pytest.approx(expected), (region, dim.id)
    # Every input has a catalog entry with label, unit and source.
    assert set(loaded.catalog.index) == {s.id for s in fw.indicators}
    assert loaded.catalog["label"].str.len().min() > 3 and (loaded.catalog["source_id"] != "").all()


def test_inherited_values_are_flagged(loaded):
    origin = loaded.board.origin
    # The RIS publishes France at NUTS 1 only: French NUTS 2 regions take it from their NUTS 1 region.
    assert origin.loc["FRK2", "ris.2.2.1"] == "NUTS 1 FRK"
    # RCI merges Vienna and Lower Austria into AT_C.
    assert origin.loc["AT13", "rci.labour_productivity"] == "unit AT_C"
    # Single-region countries take the country row of the RIS.
    assert origin.loc["CY00", "ris.3.1.1"] == "country CY"
    assert origin.loc["DE21", "eurostat.gdp_pps_hab_eu"] == ""


def test_rankings_and_peers_are_plausible(loaded):
    board = loaded.board
    top10 = set(board.overall.sort_values(ascending=False).head(10).index)
    assert {"SE11", "DE21", "FR10"} <= top10
    peers = sb.peers(loaded.structure_z, "DE21", k=5)
    assert len(peers) == 5 and "DE21" not in peers.index
    shares = peers.filter(like="share_").sum(axis=1)
    assert np.allclose(shares, 1.0)
