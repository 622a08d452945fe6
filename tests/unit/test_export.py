"""Exports (mapping.export): captioned slide figures, offline HTML, PNG/SVG via kaleido, safe CSV, Parquet."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from mapping import export

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def fig() -> go.Figure:
    return go.Figure(go.Bar(x=["DE21", "FR10"], y=[12.5, 9.1], name="GDP"))


# --- captioned ------------------------------------------------------------------------------------


def test_captioned_returns_a_copy(fig):
    before = fig.to_json()
    out = export.captioned(fig, title="GDP per head", caption="Source: Eurostat")
    assert out is not fig
    assert fig.to_json() == before
    assert fig.layout.title.text is None
    assert len(fig.layout.annotations) == 0


def test_captioned_sets_title_caption_and_slide_size(fig):
    out = export.captioned(fig, title="GDP per head", caption="Source: Eurostat (nama_10r_2gdp), 2022")
    assert out.layout.title.text == "GDP per head"
    assert (out.layout.width, out.layout.height) == (1600, 900)
    assert export.SLIDE == (1600, 900)
    assert len(out.layout.annotations) == 1
    note = out.layout.annotations[0]
    assert "Source: Eurostat (nama_10r_2gdp), 2022" in note.text
    assert (note.xref, note.yref, note.showarrow) == ("paper", "paper", False)
    # the data is kept
    assert list(out.data[0].y) == [12.5, 9.1]


def test_captioned_custom_size_and_long_caption_wraps(fig):
    caption = " ".join(["word"] * 60)  # 299 characters
    out = export.captioned(fig, title="T", caption=caption, width=750, height=420)
    assert (out.layout.width, out.layout.height) == (750, 420)
    text = out.layout.annotations[0].text
    lines = text.split("<br>")
    assert len(lines) > 1
    assert all(len(line) <= 100 for line in lines)  # wrapped at width / 7.5 = 100 characters
    assert " ".join(lines) == caption
    # the bottom margin grows with the caption
    short = export.captioned(fig, title="T", caption="one line", width=750, height=420)
    assert out.layout.margin.b > short.layout.margin.b


# --- HTML -----------------------------------------------------------------------------------------


def test_to_html_is_standalone_and_offline(fig):
    page = export.to_html(fig, title="GDP & jobs <2022>", caption="Source: Eurostat <nama>").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>GDP &amp; jobs &lt;2022&gt;</title>" in page
    assert "Source: Eurostat &lt;nama&gt;" in page
    assert "plotly" in page
    assert "Plotly.newPlot" in page
    assert '<script src="http' not in page
    assert "<script src=" not in page
    # cdn.plot.ly appears only inside the inlined plotly.js bundle, as the default topojsonURL option
    # (used by geo subplots, never loaded by these figures); no script or page element points at it
    assert page.count("cdn.plot.ly") <= 1
    if "cdn.plot.ly" in page:
        assert 'topojsonURL:{valType:"string",noBlank:!0,dflt:"https://cdn.plot.ly/' in page


def test_to_html_leaves_the_figure_alone(fig):
    before = fig.to_json()
    export.to_html(fig, title="T", caption="C")
    assert fig.to_json() == before


# --- images (kaleido with the local Chromium) -----------------------------------------------------


def test_to_png_renders_a_slide_sized_image(fig):
    png = export.to_png(fig, title="GDP per head", caption="Source: Eurostat")
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1600, 900)


def test_to_svg_renders_a_slide_sized_image(fig):
    svg = export.to_svg(fig, title="GDP per head", caption="Source: Eurostat")
    assert svg.startswith(b"<svg") or b"<svg" in svg
    assert b'width="1600"' in svg
    assert b'height="900"' in svg
    assert b"GDP per head" in svg


# --- CSV and Parquet ------------------------------------------------------------------------------


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["DE21", "=cmd()", "+1", "-2", "@SUM(A1)", "\tx", None],
            "value": [12.5, -5.0, 1.0, 2.0, 3.0, 4.0, np.nan],
            "year": [2022, 2022, 2021, 2021, 2020, 2020, 2020],
        }
    )


def test_safe_for_spreadsheets_quotes_formula_like_text(table):
    out = export.safe_for_spreadsheets(table)
    assert out["code"].tolist()[:6] == ["DE21", "'=cmd()", "'+1", "'-2", "'@SUM(A1)", "'\tx"]
    assert out["code"].isna().iloc[6]


def test_safe_for_spreadsheets_leaves_numbers_and_the_input_alone(table):
    before = table.copy()
    out = export.safe_for_spreadsheets(table)
    pd.testing.assert_series_equal(out["value"], table["value"])
    pd.testing.assert_series_equal(out["year"], table["year"])
    assert out["value"].iloc[1] == -5.0
    pd.testing.assert_frame_equal(table, before)


def test_safe_for_spreadsheets_handles_object_columns_with_mixed_values():
    frame = pd.DataFrame({"mixed": pd.Series(["=1+1", 5, None, "ok"], dtype=object)})
    assert export.safe_for_spreadsheets(frame)["mixed"].tolist() == ["'=1+1", 5, None, "ok"]


def test_to_csv_escapes_text_but_not_numbers(table):
    text = export.to_csv(table).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "code,value,year"
    assert lines[1] == "DE21,12.5,2022"
    assert lines[2] == "'=cmd(),-5.0,2022"
    assert lines[3] == "'+1,1.0,2021"
    assert lines[4] == "'-2,2.0,2021"
    assert lines[5] == "'@SUM(A1),3.0,2020"
    # no line starts with a formula character
    assert not any(line.startswith(("=", "+", "-", "@")) for line in lines)


def test_to_csv_is_utf8():
    data = export.to_csv(pd.DataFrame({"name": ["Zürich", "Łódź"], "value": [1, 2]}))
    assert data.decode("utf-8").splitlines()[1:] == ["Zürich,1", "Łódź,2"]


def test_to_parquet_round_trips(table):
    data = export.to_parquet(table)
    assert data[:4] == b"PAR1"
    back = pd.read_parquet(io.BytesIO(data))
    pd.testing.assert_frame_equal(back, table)


def test_to_parquet_drops_the_index():
    frame = pd.DataFrame({"code": ["DE21", "FR10"], "value": [1.0, 2.0]}, index=[10, 20])
    back = pd.read_parquet(io.BytesIO(export.to_parquet(frame)))
    assert list(back.columns) == ["code", "value"]
    assert back.index.tolist() == [0, 1]


def test_to_csv_quotes_formula_like_column_names_too():
    """A console query can name a column '=HYPERLINK(...)': the header row is a spreadsheet cell like any other."""
    frame = pd.DataFrame({'=HYPERLINK("http://evil.example","x")': [1], "-2+3": ["a"], "plain": [2]})
    header = export.to_csv(frame).decode("utf-8").splitlines()[0]
    assert header.startswith("\"'=HYPERLINK(") and ",'-2+3," in header and header.endswith(",plain")
    assert next(iter(frame.columns)).startswith("=")  # the input is left alone


def test_titles_and_captions_of_exports_show_tags_as_text(fig):
    out = export.captioned(fig, title='Your data (<a href="https://evil.example">x</a>)', caption="<b>from</b> you")
    assert out.layout.title.text == 'Your data (&lt;a href="https://evil.example"&gt;x&lt;/a&gt;)'
    assert "<b>" not in out.layout.annotations[-1].text and "&lt;b&gt;from" in out.layout.annotations[-1].text
    page = export.to_html(fig, title="<img src=//127.0.0.1:9/x>", caption="c").decode("utf-8")
    assert "<img src=//127.0.0.1:9/x>" not in page and "&lt;img src=//127.0.0.1:9/x&gt;" in page
