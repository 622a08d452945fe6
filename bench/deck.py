"""Decks (issue 15): a 10-slide deck built by command, ``python -m mapping deck``, as a visitor's regular report
would be: wall time of the whole command (a fresh process: imports, the views run headlessly, images rendered by
kaleido's Chromium, files written) and the sizes of the PowerPoint file and the HTML slideshow."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, db_path
from mapping.config import PROJECT_ROOT

LINKS = [
    "/map?indicator=ris.0&level=2&year=2023",
    "/map?indicator=eurostat.unemployment_rate&country=DE",
    "/clusters?sector=C29&year=2014&figure=cl_map",
    "/clusters?tab=region&region=DE11",
    "/clusters?tab=summary",
    "/scoreboard?region=DE11&figure=sb_map",
    "/related?region=DE21",
    "/compare?regions=DE11,FR10,PL91&chart=parallel",
    "/escp?tab=gap",
    "/escp?tab=compare&countries=ES,PL,SE",
]
GOAL_S = 20.0


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        pptx, html = Path(tmp) / "deck.pptx", Path(tmp) / "deck.html"
        cmd = [sys.executable, "-m", "mapping", "deck", *LINKS, "--out", str(pptx), "--html", str(html)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env={**os.environ, "CLUSTERMAP_DB": str(db_path())},
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        seconds = time.perf_counter() - started
        made = proc.stderr.count("] ") - proc.stderr.count("SKIPPED")
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
        return [
            Figure("deck", f"{len(LINKS)}-slide deck by command, PowerPoint + HTML (slides made: {made})", seconds,
                   "s", f"<= {GOAL_S:g} s", seconds <= GOAL_S and proc.returncode == 0),
            Figure("deck", "PowerPoint file size", pptx.stat().st_size / 1e6 if pptx.exists() else float("nan"), "MB"),
            Figure("deck", "HTML slideshow size (plotly.js inlined)",
                   html.stat().st_size / 1e6 if html.exists() else float("nan"), "MB"),
        ]  # fmt: skip
