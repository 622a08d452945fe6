"""The deck as one offline HTML slideshow: plotly.js and every figure inlined (interactive), arrow keys to move,
N for the speaker notes; no request leaves the file. Every text is escaped: titles and links are a visitor's input.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from mapping.deck.capture import View

STYLE = """
html, body {margin: 0; height: 100%; font-family: sans-serif; background: #fff; color: #111;}
section {display: none; box-sizing: border-box; height: 100vh; padding: 2vh 3vw; flex-direction: column;}
section.on {display: flex;}
h1 {font-size: 3.2vh; font-weight: normal; margin: 0 0 1vh;}
.title h1 {font-size: 6vh; margin-top: 30vh;} .title p {font-size: 2.4vh; color: #444;}
.fig {flex: 1 1 0; min-height: 0;}
.src {font-size: 1.6vh; color: #444; margin: 1vh 0 0;}
.notes {display: none; position: fixed; left: 3vw; right: 3vw; bottom: 3vh; max-height: 45vh; overflow: auto;
  font-size: 1.6vh; background: #f4f4f4f0; border: 1px solid #ccc; padding: 1vh; white-space: pre-wrap;}
body.shownotes .notes {display: block;}
.count {position: fixed; right: 1.5vw; bottom: 1vh; font-size: 1.4vh; color: #888;}
ul {font-size: 2vh;} li {margin-bottom: 1vh;}
"""

SCRIPT = """
const slides = Array.from(document.querySelectorAll('section'));
const figures = JSON.parse(document.getElementById('figures').textContent);
let at = 0;
function show(i) {
  at = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, j) => s.classList.toggle('on', j === at));
  document.querySelector('.count').textContent = (at + 1) + ' / ' + slides.length;
  const div = slides[at].querySelector('.fig');
  if (div && !div.dataset.drawn) {
    const f = figures[div.dataset.index];
    Plotly.newPlot(div, f.data, f.layout, {displaylogo: false, responsive: true});
    div.dataset.drawn = '1';
  } else if (div) { Plotly.Plots.resize(div); }
  history.replaceState(null, '', '#' + (at + 1));
}
document.addEventListener('keydown', e => {
  if (['ArrowRight', 'PageDown', ' ', 'Enter'].includes(e.key)) { show(at + 1); e.preventDefault(); }
  else if (['ArrowLeft', 'PageUp', 'Backspace'].includes(e.key)) { show(at - 1); e.preventDefault(); }
  else if (e.key === 'Home') show(0);
  else if (e.key === 'End') show(slides.length - 1);
  else if (e.key === 'n' || e.key === 'N') document.body.classList.toggle('shownotes');
});
show((parseInt(location.hash.slice(1), 10) || 1) - 1);
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _figure(fig: go.Figure) -> dict:
    out = go.Figure(fig)
    out.update_layout(template="plotly_white", title=None, height=None, width=None, autosize=True)
    return json.loads(out.to_json())


def write(title: str, subtitle: str, views: Sequence[tuple[View, str, str, str]], sources: Sequence[dict]) -> bytes:
    """The HTML file's bytes; ``views`` holds (view with geometry inlined, slide title, live URL, notes)."""
    sections = [f"<section class='title'><h1>{_esc(title)}</h1><p>{_esc(subtitle)}</p></section>"]
    figures = []
    for i, (view, slide_title, url, notes) in enumerate(views):
        figures.append(_figure(view.figure))
        sections.append(
            f"<section><h1>{_esc(slide_title)}</h1><div class='fig' data-index='{i}'></div>"
            f"<p class='src'>{_esc(view.caption)} <a href='{_esc(url)}'>Open the live view</a></p>"
            f"<div class='notes'>{_esc(notes)}</div></section>"
        )
    items = "".join(
        f"<li><b>{_esc(s['title'])}</b>. {_esc(s['attribution'])}. Licence: {_esc(s['licence'])}. "
        f"{_esc(s.get('url') or '')}</li>"
        for s in sources
    )
    sections.append(f"<section><h1>Sources</h1><ul>{items}</ul></section>")
    # JSON inside <script>: "<" escaped so no text can close the element.
    data = json.dumps(figures, separators=(",", ":")).replace("<", "\\u003c")
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_esc(title)}</title><style>{STYLE}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        + "".join(sections)
        + f"<div class='count'></div><script type='application/json' id='figures'>{data}</script>"
        f"<script>{SCRIPT}</script></body></html>"
    )
    return page.encode("utf-8")
