"""One figure of every kind that mapping/charts.py and mapping/maps.py build, from small hand-made frames shaped like
the app's (long region and indicator names, long captions), for the export layout tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mapping import charts, maps

CAPTION = (
    "Source: Eurostat — Structural business statistics by NUTS 2 regions and NACE Rev. 2 (sbs_r_nuts06_r2); "
    "vintage 2024-03. Data year(s): 2014. Bubble area = persons employed; dashed lines: LQ = 1 and zero growth. "
    "Coverage: 61 of 68 sectors known. © EuroGeographics for the administrative boundaries."
)
NAMES = {
    "DE11": "Stuttgart",
    "DE21": "Oberbayern",
    "FR10": "Ile-de-France",
    "ITC4": "Lombardia",
    "NL33": "Zuid-Holland",
    "SE11": "Stockholm",
    "AT13": "Wien",
}
DIMS = {
    "framework": "Framework conditions",
    "investment": "Investments",
    "activities": "Innovation activities",
    "impacts": "Impacts",
    "human": "Human resources and skills",
    "attract": "Attractive research systems",
}


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def ranking() -> go.Figure:
    n = 25
    frame = pd.DataFrame(
        {
            "code": [f"DE{i:02d}" for i in range(n)],
            "name": [f"Region with a fairly long name {i}" for i in range(n)],
            "lq": np.linspace(0.8, 7.75, n),
            "stars": [i % 4 for i in range(n)],
        }
    )
    frame.loc[n - 1, "code"] = "DE11"
    return charts.ranking_bar(frame, value="lq", label="name", unit="LQ", colour_by="stars", highlight="DE11")


def portfolio() -> go.Figure:
    rng = _rng()
    n = 40
    status = np.array(["growth"] * 28 + ["break"] * 8 + ["unknown"] * 4)
    growth = np.where(status == "growth", rng.normal(0.02, 0.04, n), np.nan)
    frame = pd.DataFrame(
        {
            "nace": [f"C{10 + i}" for i in range(n)],
            "label": [f"Manufacture of things number {i}" for i in range(n)],
            "lq": np.exp(rng.normal(0, 0.8, n)),
            "persons": rng.integers(500, 150_000, n).astype(float),
            "stars": rng.integers(0, 4, n),
            "growth": growth,
            "growth_status": status,
            "series_break": np.where(status == "break", "change of table: a (2014) -> b (2022)", None),
            "growth_note": np.where(status == "unknown", "confidential in 2008", None),
        }
    )
    return charts.portfolio_bubbles(frame, base_year=2008, year=2014)


def heatmap() -> go.Figure:
    rng = _rng()
    countries = ["AT", "BE", "BG", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IT", "PL", "PT"]
    # as many sectors as the business economy has divisions with starred cells (about 65)
    sectors = [f"{s}{i}" for s in "BCDEFGHIJLMN" for i in range(10, 16)][:66]
    pivot = pd.DataFrame(rng.integers(0, 12, (len(countries), len(sectors))), index=countries, columns=sectors)
    return charts.summary_heatmap(pivot, title_z="cells", height=max(420, 22 * len(pivot) + 140))


def sensitivity() -> go.Figure:
    curve = pd.DataFrame(
        {
            "value": [1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5],
            "at_least_1": [9000, 8000, 7000, 6500, 6000, 5600, 5300],
            "at_least_2": [3000, 2600, 2200, 1900, 1700, 1500, 1400],
            "three": [400, 380, 350, 320, 300, 280, 260],
        }
    )
    return charts.sensitivity_curve(curve, label="LQ threshold for the specialisation star", base=2.0, alt=1.5)


def flips() -> go.Figure:
    rng = _rng()
    frame = pd.DataFrame(
        {"nace": rng.choice([f"C{i}" for i in range(10, 34)], 300), "change": rng.choice([-1, 1], 300)}
    )
    return charts.flips_bar(frame)


def dimensions() -> go.Figure:
    own = pd.Series([0.8, 0.55, 0.9, 0.3, 0.7, 0.62], index=list(DIMS))
    peers = pd.Series([0.6, 0.5, 0.7, 0.4, 0.5, 0.55], index=list(DIMS))
    return charts.dimension_bars(own, peers, labels=DIMS, name="Stuttgart")


def scorecard() -> go.Figure:
    n = 24
    diff = np.linspace(-0.35, 0.4, n)
    card = pd.DataFrame(
        {
            "label": [f"Indicator {i}: population with tertiary education aged 25-34" for i in range(n)],
            "difference": diff,
            "verdict": np.where(diff >= 0.1, "strength", np.where(diff <= -0.1, "weakness", "neutral")),
            "score": np.linspace(0.1, 0.9, n),
            "peer_median": 0.5,
        }
    )
    return charts.scorecard_bars(card, margin=0.1, height=max(420, 20 * n + 80))


def peers() -> go.Figure:
    codes = ["DE21", "FR10", "ITC4", "NL33", "SE11"]
    rng = _rng()
    shares = rng.dirichlet(np.ones(5), len(codes))
    variables = ["population", "density", "gdp", "manufacturing", "tertiary"]
    table = pd.DataFrame(shares, index=codes, columns=[f"share_{v}" for v in variables])
    labels = {
        "population": "Population",
        "density": "Population density",
        "gdp": "GDP per head (PPS)",
        "manufacturing": "Manufacturing share of employment",
        "tertiary": "Tertiary education",
    }
    return charts.peer_contributions(table, labels=labels, names=NAMES, height=300)


def _scores() -> pd.DataFrame:
    rng = _rng()
    return pd.DataFrame(rng.uniform(0.1, 0.95, (5, len(DIMS))), index=list(NAMES)[:5], columns=list(DIMS))


def radar() -> go.Figure:
    return charts.radar(_scores(), labels=DIMS, names=NAMES)


def parallel() -> go.Figure:
    return charts.parallel(_scores(), labels=DIMS, names=NAMES)


def indicators() -> go.Figure:
    return charts.indicator_bars(_scores().iloc[:3], labels=DIMS, names=NAMES)


def grouped() -> go.Figure:
    pivot = pd.DataFrame(
        {"DE": [12, 30, 8], "FR": [10, 22, 5], "IT": [7, 15, 9], "ES": [6, 11, 4]},
        index=["COSME cluster partnerships", "Euroclusters (SMP)", "Interregional innovation investments"],
    )
    return charts.grouped_bars(pivot, value="participations (lower bound)")


def gap() -> go.Figure:
    frame = pd.DataFrame(
        {
            "cells_2plus": [120, 80, 60, 30, 15, 200],
            "participations": [40, 35, 10, 20, 5, 90],
            "gap_pp": [-2.0, 3.5, -4.0, 1.0, 0.5, 2.0],
            "cells_3": [20, 10, 5, 2, 1, 40],
        },
        index=["DE", "FR", "IT", "ES", "PL", "NL"],
    )
    return charts.gap_scatter(frame)


def _square(x: float, y: float, s: float = 2.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}


GEOMETRIES = {f"R{i}|2021": _square(-8 + 2.2 * (i % 10), 38 + 2.2 * (i // 10)) for i in range(40)}
BASE = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "XX", "geometry": _square(-10, 36, 26)}]}
BBOX = (-10.0, 36.0, 16.0, 62.0)


def _map_frame() -> pd.DataFrame:
    keys = list(GEOMETRIES)
    return pd.DataFrame(
        {
            "key": keys,
            "code": [k.split("|")[0] for k in keys],
            "name": [f"Region {k.split('|')[0]}" for k in keys],
            "value": np.geomspace(0.05, 40.0, len(keys)),  # LQs up to x40: the colour bar ends at 8
        }
    )


def lq_map() -> go.Figure:
    frame = _map_frame()
    spec = maps.MapSpec(
        title="C29 Manufacture of motor vehicles, trailers and semi-trailers: location quotient, 2014",
        unit="LQ (1 = EU share)",
        palette="puor",
        reference=1.0,
        reference_label="LQ",
        log2=True,
    )
    return maps.choropleth(
        frame.iloc[3:],
        spec=spec,
        geometries=GEOMETRIES,
        base=BASE,
        no_data=frame.iloc[:3],
        highlight="R12|2021",
        bbox=BBOX,
        zoom=3.0,
        center={"lon": 3.0, "lat": 49.0},
    )


def cluster_map() -> go.Figure:
    frame = _map_frame()
    spec = maps.MapSpec(title="Employment", unit="persons employed", palette="viridis")
    fig = maps.choropleth(frame, spec=spec, geometries=GEOMETRIES, base=BASE, highlight="R5|2021", bbox=BBOX)
    overlay = frame.assign(
        stars=[i % 4 for i in range(len(frame))],
        lq=frame["value"],
        lon=[-7 + 2.2 * (i % 10) for i in range(len(frame))],
        lat=[39 + 2.2 * (i // 10) for i in range(len(frame))],
    )
    return maps.add_cluster_markers(fig, overlay, label="C29")


KINDS: dict[str, tuple[Callable[[], go.Figure], str]] = {
    "ranking_bar": (
        ranking,
        "Top 20 regions by LQ, C29 Manufacture of motor vehicles, trailers and semi-trailers, 2014",
    ),
    "portfolio_bubbles": (portfolio, "Cluster portfolio of Stuttgart (DE11), 2014"),
    "summary_heatmap": (heatmap, "Starred cells by country and sector (>= 1 star), 2014"),
    "sensitivity_curve": (sensitivity, "Starred cells as the LQ threshold moves, 2014"),
    "flips_bar": (flips, "Cells gaining or losing stars at LQ >= 1.5 instead of 2"),
    "dimension_bars": (dimensions, "Dimension scores against the peer median"),
    "scorecard_bars": (scorecard, "Scorecard: Stuttgart against its peers"),
    "peer_contributions": (peers, "Why these peers for Stuttgart"),
    "radar": (radar, "Radar: Stuttgart and its peers"),
    "parallel": (parallel, "Dimension scores of five regions"),
    "indicator_bars": (indicators, "Normalised indicator scores"),
    "grouped_bars": (grouped, "Participations by programme and country"),
    "gap_scatter": (gap, "Cluster strength and partnership participation by country"),
    "choropleth": (lq_map, "C29 Manufacture of motor vehicles, trailers and semi-trailers: location quotient, 2014"),
    "choropleth_markers": (cluster_map, "Persons employed, 2014, with C29 clusters"),
}
