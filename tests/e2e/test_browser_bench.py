"""``python -m bench browser`` runs: one timed first paint and one control change of the bare page in Chromium.

A smoke test of the bench's machinery (recording, breakdown, report); it asserts on what was recorded, never
on how long anything took.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import browser
from bench.common import BARE_PAGE, streamlit_server

pytestmark = pytest.mark.e2e

BARE = next(t for t in browser.TARGETS if t.bare)


def test_bench_runs_one_rep_on_the_bare_page(chromium_path, monkeypatch, capsys):
    monkeypatch.setattr(browser, "CHROMIUM", chromium_path)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_PAGE)
        # The bench runs in a thread of its own: when the session's browser fixture already runs Playwright's sync
        # API in this process (pytest-xdist), a second sync_playwright in the same thread is refused.
        with (
            streamlit_server(["-m", "streamlit", "run", str(script)], env=dict(os.environ)) as (_, url),
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            res = pool.submit(browser.measure, url, "", targets=(BARE,), reps=1, changes=1, warmup=0).result()

    assert not res.outside, "the bench's browser left the machine"
    for measured in (res.first, res.revisit, res.change):
        (b,) = measured["bare"]
        assert b.before_request + b.server + b.browser == pytest.approx(b.total)
        assert b.runs >= 1  # the websocket frames were recorded and parsed: a script_finished per run
    assert res.first["bare"][0].http_requests > 0

    browser.print_breakdown(res)
    rows = browser.figures(res)
    out = capsys.readouterr().out
    assert "bare       first paint" in out and "bare       change" in out
    assert {f.name for f in rows} >= {"bare: first paint median (n=1)", "bare: control change median (n=1)"}
