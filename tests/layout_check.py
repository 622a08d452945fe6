"""Where the text of an exported figure lands: an SVG (as kaleido renders it) is loaded in Chromium and every
``<text>`` measured, so tests can say which texts overlap each other, the plot area or the image edge.

Used by tests/unit/test_export_layout.py and tests/export_gallery.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.common import CHROMIUM, CHROMIUM_ARGS

# Classifies every text by its nearest known ancestor and measures it; plot areas: cartesian subplots (their
# 'axesclip' rectangles), polar plots (the background circle), maps (the map image), parcoords (none).
MEASURE_JS = r"""
(svgText) => {
  // svgText null: measure the page as it is (a live plotly figure: its texts span several svg layers)
  const live = svgText === null;
  if (!live) { document.body.style.margin = '0'; document.body.innerHTML = svgText; }
  const svg = live ? document.body : document.querySelector('svg');
  const box = (r) => ({x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  const kinds = [
    [/\bg-gtitle\b/, 'title'], [/\blegend\b/, 'legend'], [/\bannotation\b/, 'annotation'],
    [/\bcolorbar\b/, 'colorbar'], [/^g-[xy]\d*title$/, 'axis title'], [/^[xy]\d*tick$/, 'tick label'],
    [/\bangularaxistick\b/, 'tick label'], [/\bradial-axis\b/, 'inner tick'],
    [/\bbartext\b|\btextpoint\b|\btrace\b|\bhm\b/, 'data label'], [/\bparcoords\b|\by-axis\b/, 'parcoords'],
  ];
  const texts = [];
  for (const t of svg.querySelectorAll('text')) {
    const content = t.textContent.trim();
    if (!content) continue;
    const r = t.getBoundingClientRect();
    if (r.width < 0.5 || r.height < 0.5) continue;
    let kind = 'other';
    if (t.closest('.radial-axis')) kind = 'inner tick';
    else outer: for (let e = t; e && e !== svg; e = e.parentElement) {
      const cls = (e.getAttribute('class') || '');
      for (const [re, k] of kinds) { if (re.test(cls)) { kind = k; break outer; } }
    }
    if (kind === 'other' && /\bbartext\b/.test(t.getAttribute('class') || '')) kind = 'data label';
    texts.push({text: content.slice(0, 60), kind, ...box(r)});
  }
  const areas = [];
  for (const r of live ? svg.querySelectorAll('.draglayer rect.nsewdrag') : []) {
    areas.push({shape: 'rect', name: 'xy', ...box(r.getBoundingClientRect())});
  }
  for (const c of live ? [] : svg.querySelectorAll('clipPath.axesclip')) {
    if (!/x\d*y\d*$/.test(c.id)) continue;
    const r = c.querySelector('rect');
    const x = +r.getAttribute('x'), y = +r.getAttribute('y');
    areas.push({shape: 'rect', name: c.id.replace(/^clip[0-9a-f]+/, ''),
                x0: x, y0: y, x1: x + +r.getAttribute('width'), y1: y + +r.getAttribute('height')});
  }
  for (const p of svg.querySelectorAll('.polarsublayer.plotbg path')) {
    const b = box(p.getBoundingClientRect());
    areas.push({shape: 'circle', name: 'polar', ...b});
  }
  const parcoords = svg.querySelector('.parcoords') !== null;  // its lines are an image too
  for (const img of parcoords ? [] : svg.querySelectorAll('.glimages image')) {
    const b = box(img.getBoundingClientRect());
    if (b.x1 - b.x0 > 50) areas.push({shape: 'rect', name: 'map', ...b});
  }
  if (live) return {width: window.innerWidth, height: document.documentElement.scrollHeight, texts, areas};
  return {width: +svg.getAttribute('width'), height: +svg.getAttribute('height'), texts, areas};
}
"""


@dataclass(frozen=True)
class Problem:
    what: str

    def __str__(self) -> str:
        return self.what


def _overlap(a: dict, b: dict, tol: float) -> bool:
    return min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > tol and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > tol


def _in_circle(t: dict, c: dict, tol: float) -> bool:
    cx, cy, r = (c["x0"] + c["x1"]) / 2, (c["y0"] + c["y1"]) / 2, (c["x1"] - c["x0"]) / 2
    nx, ny = min(max(cx, t["x0"]), t["x1"]), min(max(cy, t["y0"]), t["y1"])
    return (nx - cx) ** 2 + (ny - cy) ** 2 < (r - tol) ** 2


def problems(measured: dict, *, tol: float = 1.0) -> list[Problem]:
    """Texts off the image, layout texts on a plot area, any text on a layout text, bar labels on each other.

    Data labels inside a plot (bar values, heatmap counts, scatter labels) may sit on the plot; scatter labels
    among themselves are not checked (they follow the data)."""
    out: list[Problem] = []
    w, h = measured["width"], measured["height"]
    texts = measured["texts"]
    for t in texts:
        if t["x0"] < -tol or t["y0"] < -tol or t["x1"] > w + tol or t["y1"] > h + tol:
            out.append(Problem(f"off the image: {t['kind']} {t['text']!r} at {_fmt(t)}"))
    for t in texts:
        if t["kind"] in ("data label", "parcoords", "inner tick"):
            continue
        for a in measured["areas"]:
            hit = _in_circle(t, a, tol) if a["shape"] == "circle" else _overlap(t, a, tol)
            if hit:
                out.append(Problem(f"on the plot area ({a['name']}): {t['kind']} {t['text']!r} at {_fmt(t)}"))
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            layout = a["kind"] != "data label" or b["kind"] != "data label"
            bars = a["text"] != b["text"] and a["kind"] == b["kind"] == "data label" and _is_number(a, b)
            if (layout or bars) and _overlap(a, b, tol):
                out.append(
                    Problem(
                        f"text on text: {a['kind']} {a['text']!r} {_fmt(a)} and {b['kind']} {b['text']!r} {_fmt(b)}"
                    )
                )
    return out


def _is_number(a: dict, b: dict) -> bool:
    def num(s: str) -> bool:
        return s.replace(",", "").replace(".", "").replace("-", "").replace("−", "").strip().isdigit()

    return num(a["text"]) and num(b["text"])


def _fmt(t: dict) -> str:
    return f"({t['x0']:.0f},{t['y0']:.0f})-({t['x1']:.0f},{t['y1']:.0f})"


class Measurer:
    """One headless Chromium page that measures many SVGs: in ``browser`` (a Playwright browser someone else owns,
    as the tests' session fixture) or in a Chromium of its own (the export gallery script)."""

    def __init__(self, browser=None) -> None:
        self._pw = None
        if browser is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._browser = browser
        self._page = browser.new_page()

    def measure(self, svg: bytes) -> dict:
        return self._page.evaluate(MEASURE_JS, svg.decode("utf-8"))

    def measure_page(self, html: bytes, *, sizes: list[tuple[int, int]]) -> list[dict]:
        """Open an exported HTML page and measure its drawn figures at each window size (responsive figures are
        redrawn to the window's width)."""
        page = self._browser.new_page(viewport={"width": sizes[0][0], "height": sizes[0][1]})
        try:
            page.set_content(html.decode("utf-8"), wait_until="load")
            out = []
            for width, height in sizes:
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_function(
                    "(w) => { const plots = [...document.querySelectorAll('.js-plotly-plot')];"
                    " return plots.length > 0 && plots.every(p => p._fullLayout && p.querySelector('.main-svg')"
                    " && Math.abs(p._fullLayout.width - p.clientWidth) < 2 && p.clientWidth < w); }",
                    arg=width,
                )
                out.append(page.evaluate(MEASURE_JS, None))
            return out
        finally:
            page.close()

    def close(self) -> None:
        self._page.close()
        if self._pw is not None:
            self._browser.close()
            self._pw.stop()
