"""Shared helpers: a result row type, the table printer, the benchmark database and local Streamlit servers
(the benchmarks and the browser/websocket tests start their servers the same way)."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from mapping import config

# Debian's Chromium as the browser tests, the export layout checks and ``bench browser`` start it.
CHROMIUM = os.environ.get("CLUSTERMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The yardstick for rerun times: one selectbox and a line of text, served beside the app.
BARE_PAGE = """
import streamlit as st
st.title("Bare page")
choice = st.selectbox("Year", list(range(2013, 2025)), key="w_year")
st.write(f"chosen {choice}")
"""


@dataclass
class Figure:
    area: str
    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None

    def row(self) -> str:
        verdict = {True: "ok", False: "MISSED", None: ""}[self.ok]
        value = f"{self.value:,.3f}" if self.value < 10 else f"{self.value:,.1f}"
        return f"{self.area:<10} {self.name:<72} {value:>12} {self.unit:<6} {self.goal:<22} {verdict}"


def print_table(figures: list[Figure]) -> None:
    print(f"{'area':<10} {'figure':<72} {'value':>12} {'unit':<6} {'goal':<22} verdict")
    print("-" * 132)
    for f in figures:
        print(f.row())


def median_seconds(fn, repeats: int = 5) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def percentiles_ms(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds."""
    arr = np.array(seconds) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def db_path() -> Path:
    """The configured database, built from the sources folder first if it is missing."""
    path = config.db_path()
    if not path.exists():
        from mapping.ingest import build

        build(config.sources_dir(), path, progress=lambda m: None)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def streamlit_server(
    args: Sequence[str],
    *,
    env: dict,
    cwd: Path = config.PROJECT_ROOT,
    log: IO | None = None,
    timeout: float = 60,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """``python <args>`` as a Streamlit server on a free 127.0.0.1 port; yields (process, url) once
    ``/_stcore/health`` answers and stops the process afterwards. Raises ServerDidNotStart if it exits or
    does not answer within ``timeout`` seconds."""
    port = free_port()
    flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(
        [sys.executable, *args, *flags, "--browser.gatherUsageStats", "false"],
        cwd=cwd,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"server {' '.join(args)} did not start")
            time.sleep(0.25)
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def bare_page_and_app(env: dict) -> Iterator[tuple[str, str]]:
    """The bare page and the app served side by side (same protocol, same machine): yields their URLs."""
    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE)
        with (
            streamlit_server(["-m", "streamlit", "run", str(bare_script)], env=env) as (_, bare_url),
            streamlit_server(["-m", "mapping.ui.serve"], env=env) as (_, app_url),
        ):
            yield bare_url, app_url
