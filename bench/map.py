"""Map page: rerun time after a control change vs a bare Streamlit page (same run, same protocol),
and the figure JSON size at NUTS 2 and NUTS 3.

Reruns are timed over Streamlit's websocket protocol (bench/wsclient.py): from sending the new
widget value to the server's "script finished" message, i.e. everything the server does for a
rerun. Browser rendering is not included (the e2e tests check that the map is drawn).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import Figure, bare_page_and_app, db_path, percentiles_ms
from mapping import db, explorer, geo, maps

RERUNS = 30


async def _time_reruns(url: str, key: str, values: list, n: int) -> list[float]:
    from bench.wsclient import Session

    session = await Session.open(url)
    try:
        for v in values[:3]:  # warm the caches once per value, as a user session would
            await session.set_value(key, v)
        times = []
        for i in range(n):
            times.append(await session.set_value(key, values[i % len(values)]))
        if session.exceptions:
            raise RuntimeError(f"exceptions during the bench: {session.exceptions[:2]}")
        return times
    finally:
        await session.close()


def rerun_figures(db_path: Path) -> list[Figure]:
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path)}
    with bare_page_and_app(env) as (bare_url, app_url):
        years = [str(y) for y in range(2013, 2024)]
        bare_t = asyncio.run(_time_reruns(bare_url, "w_year", [str(y) for y in range(2013, 2025)], RERUNS))
        map_t = asyncio.run(_time_reruns(app_url, "w_year", years, RERUNS))
    b50, b95 = percentiles_ms(bare_t)
    m50, m95 = percentiles_ms(map_t)
    return [
        Figure("map", f"bare page rerun p50 ({RERUNS} reruns)", b50, "ms"),
        Figure("map", "bare page rerun p95", b95, "ms"),
        Figure("map", f"map page rerun after a year change p50 ({RERUNS} reruns)", m50, "ms"),
        Figure("map", "map page rerun p95", m95, "ms", "<= 150 ms", m95 <= 150),
        Figure("map", "map page p95 / bare page p95", m95 / b95, "x", "<= 2x", m95 / b95 <= 2),
    ]


def default_map_frames(con):
    """The map page's default view (default indicator, latest year, NUTS 2): its catalog row and frames."""
    meta = db.query(con, "catalog").set_index("indicator_id").loc[explorer.DEFAULT_INDICATOR]
    frames = explorer.map_frames(
        lambda name, **p: db.query(con, name, **p),
        indicator=explorer.DEFAULT_INDICATOR,
        year=int(meta["max_year"]),
        level=2,
        nuts_version=meta["nuts_version"],
    )
    return meta, frames


def size_figures(db_path: Path) -> list[Figure]:
    """Payload sizes. Geometry travels once per browser session as a static file (by URL); every rerun
    sends the figure with data only; exports inline the geometry (self-contained figure)."""
    con = db.connect(db_path)
    try:
        base_frame = db.query(con, "base_outlines", scale="60M")
        base_geoms = geo.parse_geometries(zip(base_frame["code"], base_frame["geojson"], strict=True))
        base = geo.feature_collection(base_frame["code"], base_geoms)
        out = []
        meta, frames = default_map_frames(con)
        spec = maps.MapSpec(title="t", unit=meta["unit"])
        n2 = len(frames.values) + len(frames.no_data)
        by_url = maps.choropleth(
            frames.values,
            spec=spec,
            geometries="/app/static/geo/nuts2.json",
            base="/app/static/geo/base.json",
            no_data=frames.no_data,
        )
        out.append(
            Figure(
                "map",
                f"figure JSON per rerun, NUTS 2 ({n2} regions; geometry by URL)",
                len(by_url.to_json()) / 1024,
                "KB",
            )
        )
        for level in (2, 3):
            g = db.query(con, "geometry", level=level, scale="60M")
            text = geo.collection_text(zip(g["key"], g["geojson"], strict=True))
            out.append(
                Figure(
                    "map",
                    f"geometry file NUTS {level}, all versions and units (once per session)",
                    len(text) / 1024,
                    "KB",
                )
            )
        g2 = db.query(con, "geometry", level=2, scale="60M")
        geoms2 = geo.parse_geometries(zip(g2["key"], g2["geojson"], strict=True))
        inline2 = maps.choropleth(frames.values, spec=spec, geometries=geoms2, base=base, no_data=frames.no_data)
        size2 = len(inline2.to_json()) / 1024
        out.append(
            Figure("map", f"self-contained figure JSON, NUTS 2 ({n2} regions)", size2, "KB", "<= 400 KB", size2 <= 400)
        )
        # NUTS 3: no indicator is published at NUTS 3, so every NUTS 3 region (2021) gets a value, as an
        # uploaded NUTS 3 data set would be drawn.
        g3 = db.query(con, "geometry", level=3, scale="60M")
        g3 = g3[g3["key"].str.endswith("|2021")]
        geoms3 = geo.parse_geometries(zip(g3["key"], g3["geojson"], strict=True))
        frame3 = pd.DataFrame(
            {
                "key": g3["key"],
                "code": g3["key"].str.split("|").str[0],
                "name": "region",
                "value": np.arange(len(g3), dtype=float),
                "year": 2024,
            }
        )
        fig3 = maps.choropleth(frame3, spec=maps.MapSpec(title="t", unit="unit"), geometries=geoms3, base=base)
        size3 = len(fig3.to_json()) / 1024
        out.append(
            Figure(
                "map",
                f"self-contained figure JSON, NUTS 3 ({len(frame3)} regions)",
                size3,
                "KB",
                "<= 1200 KB",
                size3 <= 1200,
            )
        )
        return out
    finally:
        con.close()


def run() -> list[Figure]:
    path = db_path()
    return [*rerun_figures(path), *size_figures(path)]
