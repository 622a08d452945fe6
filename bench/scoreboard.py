"""Scoreboard page: rerun time when the region or the peers change (websocket protocol, as bench/map.py)."""

from __future__ import annotations

import asyncio
import os

from bench.common import Figure, bare_page_and_app, db_path, percentiles_ms

RERUNS = 24
REGIONS = ["DE21", "FR10", "PL91", "ES51", "ITC4", "SE11", "NL32", "AT13", "CZ01", "PT17", "EL30", "RO32"]
PEER_SETS = [["FR10", "ITC4"], ["ES30", "SE11", "NL32"], ["AT13"], ["CZ01", "DK01", "FI1B", "PL91"]]  # region is DE21


async def _time(url: str, key: str, values: list, n: int, page: str = "") -> list[float]:
    from bench.wsclient import Session

    session = await Session.open(url, page=page)
    try:
        options = session.widgets[key].options or []

        def shown(code):  # options are displayed as "<code> <name>"
            return next((o for o in options if o.split(" ")[0] == code), code)

        values = [[shown(c) for c in v] if isinstance(v, list) else shown(v) for v in values]
        for v in values[:2]:
            await session.set_value(key, v)
        times = [await session.set_value(key, values[i % len(values)]) for i in range(n)]
        if session.exceptions:
            raise RuntimeError(f"exceptions during the bench: {session.exceptions[:2]}")
        return times
    finally:
        await session.close()


def run() -> list[Figure]:
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path())}
    with bare_page_and_app(env) as (bare_url, app_url):
        bare_t = asyncio.run(_time(bare_url, "w_year", [str(y) for y in range(2013, 2025)], RERUNS))
        region_t = asyncio.run(_time(app_url, "w_region", REGIONS, RERUNS, page="scoreboard"))
        peer_t = asyncio.run(_time(app_url, "w_peers", PEER_SETS, RERUNS, page="scoreboard"))
    b50, b95 = percentiles_ms(bare_t)
    r50, r95 = percentiles_ms(region_t)
    q50, q95 = percentiles_ms(peer_t)
    return [
        Figure("scoreboard", f"bare page rerun p50 / p95 ({RERUNS} reruns)", b95, "ms", f"p50 {b50:.0f} ms"),
        Figure("scoreboard", "scoreboard rerun after a region change, p50", r50, "ms"),
        Figure("scoreboard", "scoreboard rerun after a region change, p95", r95, "ms", "<= 150 ms", r95 <= 150),
        Figure("scoreboard", "scoreboard rerun after a peer change, p50", q50, "ms"),
        Figure("scoreboard", "scoreboard rerun after a peer change, p95", q95, "ms", "<= 150 ms", q95 <= 150),
    ]
