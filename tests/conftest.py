"""Shared fixtures: a real build from the sources folder, once per test session; one headless Chromium driven by
Playwright's sync API (one per process: a second sync_playwright in the same thread is refused)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench.common import CHROMIUM, CHROMIUM_ARGS
from mapping import config
from mapping.config import PROJECT_ROOT

# The sources the integration tests check values of; the others may be absent (recorded as missing).
CHECKED = ("eurostat_sbs_r_nuts06_r2", "eurostat_lfst_r_lfe2en2", "ris2023", "eis2023", "eurostat_tgs00007")


def _sources_present() -> bool:
    from mapping.ingest.manifest import load_manifest

    src = config.sources_dir()
    needed = [s for s in load_manifest().sources if s.required or s.id in CHECKED]
    return all(s.resolve(src) is not None for s in needed)


@pytest.fixture(scope="session")
def real_db(tmp_path_factory) -> Path:
    """Path of a DB built from the real sources folder (skips when the folder is absent)."""
    if not _sources_present():
        pytest.skip(f"sources folder {config.sources_dir()} is not complete")
    from mapping.ingest import build

    path = tmp_path_factory.mktemp("real") / "clustermap.duckdb"
    build(config.sources_dir(), path, allow_missing=True, progress=lambda _m: None)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt-get")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def app_test(real_db, monkeypatch) -> Callable[..., AppTest]:
    """``app_test(page=None, session=None, *, timeout=120, **params)``: the app run once with ``params`` in the URL
    (on ``page`` when given, else the default page); fails the test if the run raised."""
    monkeypatch.setenv("CLUSTERMAP_DB", str(real_db))

    def _open(page: str | None = None, session: dict | None = None, *, timeout: float = 120, **params) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
        for k, v in params.items():
            at.query_params[k] = str(v)
        for k, v in (session or {}).items():
            at.session_state[k] = v
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def view(at: AppTest) -> dict[str, str]:
    """The view the app's last run showed: the URL's parameters plus the defaults the controls fell back to (the
    app leaves defaults out of the address bar; the Share link carries them)."""
    resolved = {k: at.query_params[k] for k in at.query_params}
    if "_view" in at.session_state:
        resolved.update(at.session_state["_view"])
    return {k: v for k, v in resolved.items() if v != ""}


# The slowest checks outside the browser: random URLs through every page (hypothesis, 1,000+ cases) and corrupted
# copies of the real sources built again and again. `make test` runs them; `make test-fast` (-m "not slow") skips them.
SLOW_FILES = ("tests/robustness/test_url_fuzz.py", "tests/robustness/test_corrupt_build.py")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW_FILES):
            item.add_marker(pytest.mark.slow)
