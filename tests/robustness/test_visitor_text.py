"""Visitors' text is text: what comes from a link, an upload, a console error or an imported row is shown escaped.

A value that Markdown would turn into a link, an image (a request to another host) or HTML must reach the page
as the characters typed. AppTest gives each element's Markdown source: a payload found there unescaped would be
rendered. The reproductions of the report come first, then every parameter of every page.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import view

pytestmark = pytest.mark.integration

LINK = "[Session expired: sign in again](https://evil.example/)"
IMAGE = "![](//127.0.0.1:9/b)"
HTML = "<img src=//127.0.0.1:9/c>"
PAYLOAD = "[a](//evil.example/x)![](//127.0.0.1:9/b)<b>c"  # short enough for notices that cut at 60 characters
RAW = (
    "](https://evil.example",
    "](//evil.example",
    "](javascript:",
    "![](",
    "<img",
    "<b>",
    "<a ",
    "https://evil.example",
)
# A marker counts when its first character is not escaped with a backslash (escaped, Markdown shows it as typed).
UNESCAPED = re.compile("|".join(r"(?<!\\)" + re.escape(raw) for raw in RAW))

# Each page's own parameters (those a person may share in a link).
PAGE_PARAMS = {
    "pages/map.py": ["indicator", "level", "year", "country", "region", "view", "palette", "overlay"],
    "pages/clusters.py": [
        "set", "method", "year", "tab", "sector", "region", "base", "lq", "top", "cmplq", "cmpsize", "colour",
        "count", "move", "alt",
    ],
    "pages/scoreboard.py": ["norm", "score", "country", "region", "foreign", "peers", "ris"],
    "pages/compare.py": ["regions", "norm", "chart", "dim", "region"],
    "pages/escp.py": ["tab", "programmes", "full", "metric", "countries", "q", "partnership", "country"],
    "pages/data.py": ["tab", "q", "source", "xmethod", "report", "table", "fmt", "sql"],
}  # fmt: skip


def _rendered(at) -> list[str]:
    """The Markdown source of every element that renders Markdown (text, notices, captions, headings)."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    out = []
    for kind in kinds:
        for element in getattr(at, kind, []):
            out.append(str(element.value))
    return out


def _leaks(at) -> list[str]:
    return [text[:160] for text in _rendered(at) if UNESCAPED.search(text)]


def test_a_link_in_a_fallback_notice_is_text(app_test):
    at = app_test(indicator=LINK)
    shown = " ".join(_rendered(at))
    assert "Session expired" in shown  # the notice still says what was asked for ...
    assert _leaks(at) == []  # ... as text, not as a link


def test_an_image_in_a_regions_list_is_text(app_test):
    at = app_test("pages/compare.py", regions=f"{IMAGE},DE21,FR10")
    assert _leaks(at) == []
    assert view(at)["regions"] == "DE21,FR10"


def test_a_console_error_is_text(app_test):
    at = app_test("pages/data.py", tab="console")
    at.text_area(key="console_sql").input(f'SELECT * FROM "{LINK} {HTML}"')
    at.button[0].click().run()
    assert at.error, "the refusal is shown"
    assert _leaks(at) == []


@pytest.mark.parametrize("page", list(PAGE_PARAMS))
def test_every_page_parameter_shows_a_hostile_value_as_text(app_test, page):
    for param in PAGE_PARAMS[page]:
        at = app_test(page, **{param: PAYLOAD})
        assert _leaks(at) == [], (page, param)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/map.py", {}),
        ("pages/clusters.py", {}),
        ("pages/scoreboard.py", {}),
        ("pages/escp.py", {}),
        *[("pages/data.py", {"tab": t}) for t in ("sources", "report", "crosswalk", "methods", "downloads")],
    ],
)
def test_no_page_shows_a_server_path(app_test, page, params):
    from mapping.config import PROJECT_ROOT

    at = app_test(page, **params)
    texts = _rendered(at) + [d.value.to_csv() for d in at.dataframe]
    places = (str(PROJECT_ROOT), str(PROJECT_ROOT.parent))
    assert not [t[:200] for t in texts if any(p in t for p in places)]


def test_the_download_readme_names_no_server_path(real_db):
    from mapping import db, downloads
    from mapping.config import PROJECT_ROOT

    con = db.connect(real_db)
    built = dict(db.query(con, "build_info").values.tolist())
    con.close()
    text = downloads.readme(tables={}, fmt="csv", built=built)
    assert str(PROJECT_ROOT.parent) not in text and "the sources folder" in text
