"""Issue 15: the deck writers on a written view (no database): every text as typed, nothing a file cannot hold,
the base URL checked before anything runs, and a build's child process stopped with its whole group."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation

from mapping.deck import build, powerpoint, slideshow
from mapping.deck.capture import View
from mapping.deck.model import DeckError

HOSTILE = "</script><script>alert(1)</script> <img src=x onerror=alert(2)> \ufffe"


def _view() -> View:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    return View(
        "/clusters?sector=C29", "pages/clusters.py", "cl_bars", fig, HOSTILE, f"Source: {HOSTILE}", {"q": HOSTILE}
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "white").save(out, format="PNG")
    return out.getvalue()


def test_powerpoint_holds_hostile_text_as_text():
    view = _view()
    content = powerpoint.SlideContent(view, HOSTILE, "http://x/clusters?sector=C29", _png(), build.notes(view, "u"))
    data = powerpoint.write(HOSTILE, "sub", [content], [{"title": HOSTILE, "attribution": "a", "licence": "l"}])
    prs = Presentation(io.BytesIO(data))
    title = next(s for s in prs.slides[1].shapes if s.name == "Title").text_frame.text
    assert title == HOSTILE.replace("\ufffe", "")
    assert "q = </script>" in prs.slides[1].notes_slide.notes_text_frame.text


def test_slideshow_escapes_every_text():
    view = _view()
    page = slideshow.write(HOSTILE, HOSTILE, [(view, HOSTILE, "javascript:alert(3)", HOSTILE)], []).decode()
    assert page.count("<script") == 3  # plotly.js, the figures' JSON, the navigation
    assert "<img src=x" not in page and "&lt;img src=x onerror" in page
    assert "</script><script>alert(1)" not in page


def test_a_base_url_that_is_not_http_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(DeckError, match="http:// or https://"):
        build.build([("/map", "")], pptx=tmp_path / "d.pptx", base_url="javascript:alert(1)//")
    assert not list(tmp_path.iterdir())


def test_a_stopped_build_takes_its_whole_process_group():
    """Red-team review: a rerun during a build released the one-build slot but left the child running."""
    from mapping.ui.deck_views import _stop

    code = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        import time

        time.sleep(0.5)
        _stop(proc)
        assert proc.poll() is not None
        time.sleep(0.2)
        listed = subprocess.run(["ps", "-o", "stat=", "-g", str(proc.pid)], capture_output=True, text=True).stdout
        alive = [s for s in listed.split() if not s.startswith("Z")]  # a zombie is dead, waiting for its parent
        assert alive == [], alive
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
