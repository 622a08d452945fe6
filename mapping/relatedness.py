"""Cross-sectoral mapping: complexity, related-industry groups, a stable network layout and diversification
opportunities, from the co-location of specialisations.

Proximity and relatedness density are SQL (the table macros ``sector_proximity`` and ``relatedness_density`` in
mapping/ingest/macros.sql, also usable from the SQL console); this module takes their frames.

* Complexity (Hidalgo & Hausmann 2009; eigenvector form as in Mealy, Farmer & Teytelboym 2019): from the binary
  matrix M (region r specialised in sector s: LQ >= 1, known cells), diversity k_r = sum_s M_rs, ubiquity
  k_s = sum_r M_rs; the sector complexity is the eigenvector of the second largest eigenvalue of
  M~_ss' = sum_r M_rs M_rs' / (k_r k_s), standardised (mean 0, standard deviation 1) and signed so that it falls
  with ubiquity; a region's complexity is the mean complexity of the sectors it is specialised in, standardised.
  The eigenvector is the limit the method of reflections iterates towards; it is computed exactly (one
  eigen-decomposition, no iteration count to choose). Sectors with fewer than ``min_regions`` specialised regions
  are flagged and left out of the matrix rather than ranked.
* Groups of related sectors: Louvain communities (networkx, resolution 1.2 by default, fixed seed) of the
  proximity network, edges weighted by proximity.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

MIN_REGIONS = 5  # sectors specialised in by fewer regions get no complexity (flagged)
SEED = 7  # network layout and communities: the same picture and groups on every run
RESOLUTION = (
    1.2  # Louvain resolution: 1.0 gives 3-5 broad groups of the 68 divisions, 1.2 about 6-8, 1.5 many singletons
)
MIN_GROUP_SECTORS = 2  # a region-group cell is a strong cluster in related industries from this many sectors

COMPLEXITY_RULE = (
    "Complexity: eigenvector form of the method of reflections (Hidalgo & Hausmann 2009), computed exactly by one "
    "eigen-decomposition of the sector-sector matrix sum_r M_rs M_rs' / (k_r k_s), M = specialisation (LQ >= 1); "
    "standardised (mean 0, sd 1); sectors with fewer than {min_regions} specialised regions are flagged, not ranked; "
    "a region's complexity is the mean of its specialised sectors', standardised."
)
DENSITY_RULE = (
    "Relatedness density = 100 x sum of proximities to the sectors the region is specialised in (LQ >= 1) / sum of "
    "all proximities of the sector; proximity = min of the two conditional probabilities that a region specialised "
    "in one sector is specialised in the other (Hidalgo et al. 2007), across the regions of the data."
)


@dataclass(frozen=True)
class Complexity:
    sectors: pd.DataFrame  # sector, ubiquity, complexity (NaN where flagged), flagged
    regions: pd.DataFrame  # region_code, diversity, complexity
    min_regions: int


def matrix(density: pd.DataFrame) -> pd.DataFrame:
    """The binary specialisation matrix (regions x sectors, 0/1) from ``relatedness_density`` rows; unknown
    cells count as not specialised."""
    rows, regions = pd.factorize(density["region_code"], sort=True)
    cols, sectors = pd.factorize(density["sector"], sort=True)
    m = np.zeros((len(regions), len(sectors)), dtype=int)
    m[rows, cols] = density["specialised"].fillna(False).astype(bool).to_numpy()
    return pd.DataFrame(m, index=pd.Index(regions, name="region_code"), columns=pd.Index(sectors, name="sector"))


def complexity(density: pd.DataFrame, *, min_regions: int = MIN_REGIONS) -> Complexity:
    """Sector and region complexity (see the module doc) from ``relatedness_density`` rows of one set and year."""
    m = matrix(density)
    ubiquity = m.sum(axis=0)
    kept = ubiquity[ubiquity >= min_regions].index
    mk = m[kept]
    mk = mk[mk.sum(axis=1) > 0]
    values = pd.Series(np.nan, index=m.columns)
    region_values = pd.Series(dtype=float)
    if len(kept) >= 3 and len(mk) >= 3:
        a = mk.to_numpy(dtype=float)
        kr, ks = a.sum(axis=1), a.sum(axis=0)
        # Symmetric form D_s^-1/2 M' D_r^-1 M D_s^-1/2: same eigenvalues as M~, real and sorted by eigh.
        s = (a / np.sqrt(ks)).T @ (a / kr[:, None]) / np.sqrt(ks)
        _, vecs = np.linalg.eigh(s)
        v = vecs[:, -2] / np.sqrt(ks)  # back to the eigenvector of M~
        if np.corrcoef(v, ks)[0, 1] > 0:  # complex sectors are the less ubiquitous ones
            v = -v
        z = (v - v.mean()) / v.std()
        values.loc[kept] = z
        per_region = (a @ z) / kr
        region_values = pd.Series((per_region - per_region.mean()) / per_region.std(), index=mk.index)
    sectors = pd.DataFrame(
        {"sector": m.columns, "ubiquity": ubiquity.to_numpy(), "complexity": values.to_numpy()}
    ).assign(flagged=lambda d: d["ubiquity"] < min_regions)
    regions = pd.DataFrame(
        {"region_code": m.index, "diversity": m.sum(axis=1).to_numpy(), "complexity": region_values.reindex(m.index)}
    )
    return Complexity(sectors.reset_index(drop=True), regions.reset_index(drop=True), min_regions)


def reflections(m: pd.DataFrame, iterations: int) -> pd.Series:
    """The sector values of the method of reflections after ``iterations`` steps (an even number compares like
    with like): k_s,n = 1/k_s sum_r M_rs k_r,n-1 and k_r,n = 1/k_r sum_s M_rs k_s,n-1. An independent check of
    ``complexity`` (it converges in ranking towards the eigenvector, then flattens)."""
    a = m.to_numpy(dtype=float)
    kr, ks = a.sum(axis=1), a.sum(axis=0)
    r, s = kr.copy(), ks.copy()
    for _ in range(iterations):
        r, s = (a @ s) / kr, (a.T @ r) / ks
    return pd.Series(s, index=m.columns)


def graph(proximity: pd.DataFrame) -> nx.Graph:
    """The proximity network: one node per sector, one edge per pair with proximity > 0."""
    g = nx.Graph()
    g.add_nodes_from(sorted(set(proximity["sector_a"])))
    pairs = proximity[(proximity["sector_a"] < proximity["sector_b"]) & (proximity["proximity"] > 0)]
    g.add_weighted_edges_from(pairs[["sector_a", "sector_b", "proximity"]].itertuples(index=False), weight="weight")
    return g


def layout(proximity: pd.DataFrame, *, seed: int = SEED) -> pd.DataFrame:
    """Node positions (sector, x, y): a force layout of the maximum spanning tree plus each sector's strongest
    links, seeded so the same set and year always give the same picture."""
    g = graph(proximity)
    skeleton = nx.maximum_spanning_tree(g, weight="weight") if g.number_of_edges() else nx.Graph(g)
    for node in g.nodes:
        nearest = sorted(g[node].items(), key=lambda kv: -kv[1]["weight"])[:2]
        skeleton.add_edges_from((node, other, attrs) for other, attrs in nearest)
    skeleton.add_nodes_from(g.nodes)
    # k: the nodes' preferred distance, above networkx's 1/sqrt(n) so the dense manufacturing core spreads out.
    pos = nx.spring_layout(skeleton, weight="weight", k=2.5 / np.sqrt(max(len(g), 1)), seed=seed, iterations=300)
    return pd.DataFrame([(n, *map(float, p)) for n, p in sorted(pos.items())], columns=["sector", "x", "y"])


def groups(proximity: pd.DataFrame, *, resolution: float = RESOLUTION, seed: int = SEED) -> pd.DataFrame:
    """Related-industry groups (sector, group): Louvain communities of the proximity network (edges weighted by
    proximity, ``resolution`` > 1 gives smaller groups), numbered 1, 2, ... by size (largest first), sectors
    sorted within; a sector with no link is a group of its own."""
    g = graph(proximity)
    found = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return pd.DataFrame([(s, i) for i, c in enumerate(ordered, start=1) for s in c], columns=["sector", "group"])


def related_clusters(
    density: pd.DataFrame, sector_groups: pd.DataFrame, *, min_sectors: int = MIN_GROUP_SECTORS
) -> pd.DataFrame:
    """Strong clusters in related industries: region x group cells where the region is specialised (LQ >= 1) in
    at least ``min_sectors`` sectors of the group. Columns region_code, group, sectors (held, comma-separated),
    held, group_size, persons (employment in the held sectors)."""
    held = density[density["specialised"].fillna(False).astype(bool)].merge(sector_groups, on="sector")
    sizes = sector_groups.groupby("group").size().rename("group_size")
    out = (
        held.sort_values(["region_code", "group", "sector"])
        .groupby(["region_code", "group"], as_index=False)
        .agg(sectors=("sector", ", ".join), held=("sector", "size"), persons=("persons", "sum"))
        .merge(sizes, left_on="group", right_index=True)
    )
    return out[out["held"] >= min_sectors].reset_index(drop=True)


def opportunities(
    density: pd.DataFrame, proximity: pd.DataFrame, cx: Complexity, region: str, *, why: int = 3
) -> pd.DataFrame:
    """The sectors ``region`` is not specialised in, ranked by relatedness density (then complexity), each with
    the related sectors it already holds (its ``why``: the ``why`` nearest by proximity)."""
    mine = density[density["region_code"] == region]
    held = set(mine.loc[mine["specialised"].fillna(False).astype(bool), "sector"])
    cand = mine[~mine["sector"].isin(held)].merge(cx.sectors[["sector", "complexity", "flagged"]], on="sector")
    near = proximity[proximity["sector_b"].isin(held) & (proximity["proximity"] > 0)]
    if near.empty:  # the region holds no sector (or none related): no reasons (apply on nothing gives a frame)
        reasons = pd.Series(dtype=object)
    else:
        reasons = (
            near.sort_values(["sector_a", "proximity"], ascending=[True, False])
            .groupby("sector_a")
            .head(why)
            .groupby("sector_a")
            .apply(lambda d: ", ".join(f"{b} ({p:.2f})" for b, p in zip(d["sector_b"], d["proximity"], strict=True)))
        )
    cand = cand.assign(related_held=[reasons.get(s, "") for s in cand["sector"]])
    return cand.sort_values(["density", "complexity"], ascending=[False, False], na_position="last").reset_index(
        drop=True
    )
