"""Build time and peak memory of a full build from the sources folder (fresh subprocess, 3 runs)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure
from mapping.config import PROJECT_ROOT, sources_dir

RUNS = 3


def _one_build(db: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `python -m mapping build` in a child process."""
    code = (
        "import resource, sys\n"
        "from mapping.ingest import build\n"
        "from mapping.config import sources_dir\n"
        f"build(sources_dir(), {str(db)!r}, allow_missing=True, progress=lambda m: None)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, env=os.environ
    )
    seconds = time.perf_counter() - t0
    return seconds, int(out.stdout.strip().splitlines()[-1]) / 1024


def run() -> list[Figure]:
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            s, mb = _one_build(Path(tmp) / f"bench{i}.duckdb")
            times.append(s)
            peaks.append(mb)
        size_mb = (Path(tmp) / "bench0.duckdb").stat().st_size / 1e6
    med = statistics.median(times)
    return [
        Figure("build", f"full build from {sources_dir().name}/ (median of {RUNS})", med, "s", "<= 30 s", med <= 30),
        Figure("build", "peak memory of the build process", max(peaks), "MB", "<= 1536 MB", max(peaks) <= 1536),
        Figure("build", "size of the built DuckDB file", size_mb, "MB"),
        Figure("build", "CPU cores available (os.cpu_count)", float(os.cpu_count() or 0), ""),
    ]
