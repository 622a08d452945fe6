"""The app's page names the element bundles our pages show first as modulepreload links (mapping.ui.serve)."""

from __future__ import annotations

from pathlib import Path

from mapping.ui.serve import preload_links

INDEX = '<head><link rel="modulepreload" crossorigin href="./static/js/core.A1.js">\n</head>'


def _bundle(js: Path, name: str, *imports: str) -> None:
    body = "".join(f'import{{t as x{i}}}from"./{m}";' for i, m in enumerate(imports)) + "export{};"
    (js / name).write_text(body)


def test_links_name_the_bundles_and_what_they_import_but_not_what_the_page_has(tmp_path):
    js = tmp_path / "static" / "js"
    js.mkdir(parents=True)
    _bundle(js, "PlotlyChart.H1.js", "core.A1.js", "wrap.B2.js")
    _bundle(js, "wrap.B2.js", "deep.C3.js", "core.A1.js")
    _bundle(js, "deep.C3.js")
    _bundle(js, "core.A1.js")
    _bundle(js, "Other.D4.js")

    links = preload_links(tmp_path, INDEX, names=("PlotlyChart", "Missing"))

    hrefs = [line.split('href="')[1].split('"')[0] for line in links.splitlines()]
    assert hrefs == ["./static/js/PlotlyChart.H1.js", "./static/js/deep.C3.js", "./static/js/wrap.B2.js"]
    assert all('rel="modulepreload" crossorigin' in line for line in links.splitlines())


def test_no_bundles_no_links(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    assert preload_links(tmp_path, INDEX) == ""
