"""Exported figures are slide-ready: at 1600 x 900 and 1280 x 720 no text lies on another text, on the plot area or
off the image. Every chart and map kind is exported with mapping.export.to_svg (kaleido, local Chromium) as the
figure card does, and every <text> of the SVG is measured in Chromium (tests/layout_check.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from mapping import export, profile
from tests import figures
from tests.layout_check import Measurer, problems

SIZES = [(1600, 900), (1280, 720)]


@pytest.fixture(scope="module")
def measurer(browser):
    m = Measurer(browser)
    yield m
    m.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("kind", list(figures.KINDS))
def test_exported_figure_has_no_overlapping_text(measurer, kind, size):
    build, title = figures.KINDS[kind]
    svg = export.to_svg(build(), title=title, caption=figures.CAPTION, width=size[0], height=size[1])
    measured = measurer.measure(svg)
    assert (measured["width"], measured["height"]) == size
    kinds = {t["kind"] for t in measured["texts"]}
    assert {"title", "annotation"} <= kinds  # the title and the source caption are there
    found = problems(measured)
    assert not found, f"{kind} at {size[0]}x{size[1]}, plot areas {measured['areas']}:\n" + "\n".join(map(str, found))


def test_the_checker_sees_an_overlap(measurer):
    """The check can fail: the old slide layout (legend in the top margin under the title, caption hung from the
    plot's bottom edge onto the axis) is reported."""
    out = export.captioned(
        figures.dimensions(), title="Dimension scores against the peer median", caption=figures.CAPTION
    )
    out.update_layout(legend=dict(xref="paper", yref="paper", y=1.0, yanchor="bottom"), margin=dict(t=40))
    out.layout.annotations[-1].update(yshift=-8)
    found = [str(p) for p in problems(measurer.measure(export._render(out, "svg")))]
    assert any("legend" in p and "title" in p for p in found), found
    assert any("annotation" in p and ("tick label" in p or "axis title" in p) for p in found), found


@pytest.mark.e2e  # a page with plotly.js per figure: slower, with the browser tests
@pytest.mark.parametrize("kind", [k for k in figures.KINDS if not k.startswith("choropleth")])
def test_offline_html_has_no_overlapping_text(measurer, kind):
    """The offline HTML page in browser windows of both slide sizes (maps: their canvas holds no text to measure)."""
    build, title = figures.KINDS[kind]
    page = export.to_html(build(), title=title, caption=figures.CAPTION)
    for size, measured in zip(SIZES, measurer.measure_page(page, sizes=SIZES), strict=True):
        assert measured["texts"] and (measured["areas"] or kind == "parallel")
        found = problems(measured)
        assert not found, f"{kind} in a {size[0]}x{size[1]} window:\n" + "\n".join(map(str, found))


@pytest.mark.e2e
def test_profile_figures_have_no_overlapping_text(measurer):
    """The scoreboard profile (one HTML file with several figures) in windows of both slide sizes."""
    frame = pd.DataFrame({"title": ["t"], "attribution": ["a"], "vintage": ["v"], "url": ["u"]})
    page = profile.profile_html(
        title="Stuttgart (DE11): regional ecosystem profile",
        subtitle="DE",
        figures=[(name, figures.KINDS[name][0](), "c") for name in ("dimension_bars", "scorecard_bars", "radar")],
        tables=[],
        method_notes=[],
        sources=frame,
    )
    for size, measured in zip(SIZES, measurer.measure_page(page, sizes=SIZES), strict=True):
        found = problems(measured)
        assert not found, f"profile at {size}:\n" + "\n".join(map(str, found))
