"""Fetch from a local mirror and build, with the employment tables at their published size (issue 10 goals).

The mirror (tests/mirror) serves every fetch item of the manifest in the official format, made from the real
sources folder; `sbs_r_nuts06_r2` (2008-2020) and `sbs_r_nuts2021` (2021-2024, five indicators) are synthetic at
their published size (values derived from the real 2014/2015 cells, labelled as such: benchmark only). Then
`python -m mapping fetch` into an empty folder and a build from it, each in a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure
from mapping.config import PROJECT_ROOT, SHARED_SOURCES


def _child(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and the last output line of ``code`` run in a fresh interpreter."""
    wrapped = f"{code}\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", wrapped], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, env=env
    )
    lines = out.stdout.strip().splitlines()
    return time.perf_counter() - t0, int(lines[-1]) / 1024, lines[-2] if len(lines) > 1 else ""


def run() -> list[Figure]:
    if not SHARED_SOURCES.is_dir():
        return [Figure("fetch", "fetch + build at published size: needs the real sources folder", float("nan"), "")]
    from tests.mirror.content import build_content
    from tests.mirror.server import start_mirror

    with tempfile.TemporaryDirectory() as tmp:
        root, sources, db = Path(tmp) / "mirror", Path(tmp) / "sources", Path(tmp) / "bench.duckdb"
        build_content(root, SHARED_SOURCES, synthetic_full=True)
        served_mb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
        with start_mirror(root) as mirror:
            env = {**os.environ, "CLUSTERMAP_FETCH_BASE": mirror.url}
            fetch_s, fetch_mb, _ = _child(
                f"from mapping.fetch import fetch\nfetch({str(sources)!r}, progress=lambda m: None)\nprint('ok')", env
            )
        fetched_mb = sum(p.stat().st_size for p in sources.rglob("*") if p.is_file()) / 1e6
        build_s, build_mb, rows = _child(
            "from mapping.ingest import build\n"
            f"s = build({str(sources)!r}, {str(db)!r}, allow_missing=True, progress=lambda m: None)\n"
            "print(s.tables['employment'])",
            os.environ,
        )
        size_mb = db.stat().st_size / 1e6
    return [
        Figure("fetch", f"mirror content, official formats ({served_mb:.0f} MB uncompressed)", served_mb, "MB"),
        Figure("fetch", f"fetch every source from the mirror ({fetched_mb:.0f} MB on disk)", fetch_s, "s"),
        Figure("fetch", "peak memory of the fetch process", fetch_mb, "MB"),
        Figure(
            "fetch",
            f"build from the fetched folder ({int(rows):,} employment rows)",
            build_s,
            "s",
            "<= 60 s",
            build_s <= 60,
        ),
        Figure("fetch", "peak memory of that build", build_mb, "MB", "<= 1536 MB", build_mb <= 1536),
        Figure("fetch", "size of the built DuckDB file", size_mb, "MB"),
    ]
