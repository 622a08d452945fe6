"""A fresh clone without ../shared, as a new user gets it: `make run` fetches, builds and serves.

The clone is the files git would commit (tracked and new, not ignored) copied into a temporary folder with no
sources folder beside it. A local mirror serves every official file at its official URL path, in the official
format (made from the real sources folder where it exists, else from tiny fixtures), and fetch is pointed at it
with $CLUSTERMAP_FETCH_BASE. Three runs:

1. online (the mirror answers, one table only asynchronously, one only after a 413 split): `make run` fetches,
   builds and serves; every page opens without an exception and the scoreboard ranks its regions;
2. offline after losing some files: `make run` cannot fetch, builds with what is there and serves; the pages
   name the missing sources and the command that brings them;
3. offline in a new clone with nothing fetched: `make run` stops with a message that says how to get the
   boundaries.

The clone reuses this checkout's virtual environment (VENV=...) so the test does not reinstall every package.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.common import free_port
from mapping.config import PROJECT_ROOT, SHARED_SOURCES
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.mirror.content import build_content
from tests.mirror.server import start_mirror

pytestmark = [pytest.mark.e2e, pytest.mark.clone]

PAGES = {
    "": "Map explorer",
    "region": "Region dashboard",
    "clusters": "Cluster specialisation",
    "scoreboard": "Regional ecosystem scoreboard",
    "related": "Related sectors",
    "compare": "Compare regions",
    "escp": "European cluster partnerships by country",
    "data": "Data and methods",
    "deck": "Deck",
}
REAL = SHARED_SOURCES.is_dir()
MIN_RANKED = 230 if REAL else 3


def _clone(dest: Path) -> Path:
    """The files a commit would hold, copied into ``dest/main`` (nothing ignored: no .venv, DB or sources)."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    root = dest / "main"
    for name in filter(None, files):
        src = PROJECT_ROOT / name.decode()
        if src.is_file():
            (root / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name.decode())
    assert not (root.parent / "shared").exists()
    return root


def _env(mirror_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERMAP_")}
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(var, None)
    env["CLUSTERMAP_FETCH_BASE"] = mirror_url
    return env


class Served:
    """`make run` in the clone, in its own process group (make, python, streamlit stop together)."""

    def __init__(self, clone: Path, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        venv = Path(sys.executable).parent.parent
        self.proc = subprocess.Popen(
            ["make", "run", f"PORT={self.port}", f"VENV={venv}"],
            cwd=clone,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"`make run` ended with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"`make run` did not serve within {timeout:g} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def _open(browser, url: str, shot: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / f"clone-{shot}.png"), full_page=True)
    return context, page


def _every_page(browser, url: str, tag: str, only: tuple[str, ...] = ()) -> dict[str, str]:
    """Open every page (or ``only`` these); fail on an exception box; return each page's visible text."""
    texts = {}
    for path, title in PAGES.items():
        if only and path not in only:
            continue
        context, page = _open(browser, f"{url}/{path}", f"{tag}-{path or 'map'}")
        try:
            errors = page.locator('[data-testid="stException"]')
            assert errors.count() == 0, f"/{path}: {errors.first.inner_text()[:500]}"
            body = page.inner_text("body")
            assert title in body, f"/{path} did not show {title!r}"
            texts[path] = body
        finally:
            context.close()
    return texts


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mirror")
    build_content(root, SHARED_SOURCES if REAL else None)
    return root


def test_fresh_clone_online_then_offline(browser, mirror_root, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    clone = _clone(tmp_path)
    too_big = {"tgs00010": 2000 if REAL else 20}  # cells: forces a split of the real table or of the tiny one
    with start_mirror(mirror_root, asynchronous={"tgs00042"}, too_big=too_big) as mirror:
        served = Served(clone, _env(mirror.url), ARTIFACTS.parent / "clone-online.log")
        try:
            served.wait()
            texts = _every_page(browser, served.url, "online")
        finally:
            served.stop()
        asked = [r.path for r in mirror.requests]
    log = served.log.read_text()
    # What a new user saw: progress per file and overall, the asynchronous answer and the split, then the build.
    assert "Sources folder:" in log and "fetching the official files into data/sources" in log
    assert "answered asynchronously" in log and "413" in log and "clustermap.duckdb in" in log
    assert any("/1.0/async/status/" in p for p in asked)
    fetched = clone / "data" / "sources"
    assert (fetched / "FETCHED.json").is_file() and (fetched / "nuts").is_dir()
    ranked = int(texts["scoreboard"].split("Ranking (")[1].split(" regions")[0])
    assert ranked >= MIN_RANKED

    # Offline, after losing two files: no download possible, the build records them, the pages say so.
    (fetched / "workbooks" / "RIS_web_download.xlsx").unlink()
    (fetched / "eurostat_sbs_regional" / "sbs_r_nuts06_r2.tsv.gz").unlink()
    offline = _env(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    served = Served(clone, offline, ARTIFACTS.parent / "clone-offline.log")
    try:
        served.wait()
        texts = _every_page(browser, served.url, "offline", only=("scoreboard", "clusters"))
    finally:
        served.stop()
    log = served.log.read_text()
    assert "could not be reached" in log or "Connection refused" in log
    assert "ris2025" in log and "missing" in log
    flat = {k: " ".join(v.split()) for k, v in texts.items()}
    assert "[ris2025] is not in this build" in flat["scoreboard"] and "make fetch" in flat["scoreboard"]
    assert "[eurostat_sbs_r_nuts06_r2] is not in this build" in flat["clusters"]


def test_fresh_clone_offline_without_boundaries_says_how_to_get_them(tmp_path):
    clone = _clone(tmp_path)
    venv = Path(sys.executable).parent.parent
    done = subprocess.run(
        ["make", "run", f"PORT={free_port()}", f"VENV={venv}"],
        cwd=clone,
        env=_env(f"http://127.0.0.1:{free_port()}"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode != 0, out[-2000:]
    assert "NUTS boundaries are missing" in out and "make fetch" in out and "CLUSTERMAP_SOURCES" in out
    assert not (clone / "data" / "clustermap.duckdb").exists()
