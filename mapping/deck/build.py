"""Build a deck from view links: run each view, render its figure, write the PowerPoint file and/or the HTML
slideshow. Shared by the command (``python -m mapping deck``) and the Deck page (which runs the command).

A bad link is reported with its reason and skipped; the files are written whole or not at all (a temporary file
renamed into place), and nothing is written when no slide could be made.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from mapping.deck.capture import View, capture
from mapping.deck.model import MAX_SLIDES, Deck, DeckError, parse_link

DEFAULT_BASE_URL = "http://localhost:8501"
BOUNDARIES_ID = "gisco_nuts2021_20m"

# What the speaker notes say about how each page computes what it shows (the Data page has the full methods).
METHODS = {
    "pages/map.py": "Values as published by the source, per region and year; no imputation. Regions of older NUTS "
    "versions are placed on NUTS 2021 as the Data page's placement rules say.",
    "pages/clusters.py": "Location quotient = the sector's share of the region's employment / its EU share; stars "
    "by the chosen method's thresholds (size, specialisation, focus percentiles); the coverage rule drops "
    "region-years with too few published sectors.",
    "pages/scoreboard.py": "Each indicator normalised across EU regions (the chosen normalisation), averaged into "
    "dimension scores with the weights of data/scoreboard.toml, and the dimensions into the overall score.",
    "pages/related.py": "Relatedness: co-specialisation (phi) of sector pairs across regions; density = the share "
    "of a sector's related sectors the region is specialised in.",
    "pages/compare.py": "The scoreboard's normalised dimension and indicator scores of the chosen regions, side by "
    "side.",
    "pages/escp.py": "Partnership participation counted from the recorded member lists (a sample: not every "
    "partnership's full list is published); cluster strength from the Clusters page's stars.",
    "pages/data.py": "See the Data and methods page.",
}


@dataclass
class Result:
    made: list[tuple[View, str]] = field(default_factory=list)  # (view, slide title)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (link as given, reason)
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def notes(view: View, url: str) -> str:
    filters = "; ".join(f"{k} = {v}" for k, v in sorted(view.filters.items())) or "(page defaults)"
    return (
        f"Live view: {url}\nFilters: {filters}\nFigure: {view.key}\nMethod: {METHODS.get(view.page, '')}\n"
        f"Source and vintage: {view.caption}"
    )


def used_sources(sources, captions: Sequence[str]) -> list[dict]:
    """The sources named by the slides' captions (by title or attribution), in the sources table's order; the
    boundaries when a caption names them."""
    from mapping.provenance import BOUNDARIES

    text = " ".join(captions)
    out = []
    for row in sources.to_dict("records"):
        attribution = str(row.get("attribution") or "").removeprefix("Source: ")
        named = (row["title"] and row["title"] in text) or (attribution and attribution in text)
        if named or (row["source_id"] == BOUNDARIES_ID and BOUNDARIES in text):
            out.append({k: row.get(k) for k in ("source_id", "title", "attribution", "licence", "url")})
    return out


def build(
    items: Sequence[tuple[str, str]],
    *,
    title: str = Deck().title,
    pptx: Path | None = None,
    html: Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    say: Callable[[str], None] = print,
) -> Result:
    """Build the deck of ``items`` ((link, slide title or ""), as given) into ``pptx`` and/or ``html``."""
    from mapping import export
    from mapping.deck import powerpoint, slideshow
    from mapping.ui import data as ui_data

    started = time.perf_counter()
    result = Result()
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise DeckError(f"The base URL must start with http:// or https:// (got “{base_url[:60]}”).")
    if len(items) > MAX_SLIDES:
        raise DeckError(f"{len(items)} links: a deck holds at most {MAX_SLIDES} slides.")
    base = base_url.rstrip("/")
    slides, shows = [], []
    for i, (given, slide_title) in enumerate(items, start=1):
        t0 = time.perf_counter()
        try:
            link = parse_link(given)
            view = capture(link)
            url = base + link
            heading = slide_title or view.title
            text = notes(view, url)
            fig = export.inline_geometry(view.figure, ui_data.resolve_geometry)
            view.figure = fig
            if pptx is not None:
                image = export.to_png(fig, title="", caption="", resolve=None)
                slides.append(powerpoint.SlideContent(view, heading, url, image, text))
            shows.append((view, heading, url, text))
            result.made.append((view, heading))
            say(f"[{i}/{len(items)}] {heading} ({time.perf_counter() - t0:.1f} s)")
        except DeckError as exc:
            result.skipped.append((given, str(exc)))
            say(f"[{i}/{len(items)}] SKIPPED {given[:120]}: {exc}")
        except Exception as exc:  # one view that cannot be drawn must not sink the others
            reason = f"The view could not be drawn ({type(exc).__name__}: {str(exc)[:160]})."
            result.skipped.append((given, reason))
            say(f"[{i}/{len(items)}] SKIPPED {given[:120]}: {reason}")
    if not result.made:
        raise DeckError("No slide could be made from these links; no file was written.")
    sources = used_sources(ui_data.sources(), [v.caption for v, _ in result.made])
    subtitle = (
        f"{len(result.made)} views of the EU cluster-mapping dashboard, {dt.date.today():%d %B %Y}. "
        f"Each slide links to its live view at {base}."
    )
    if pptx is not None:
        _write_whole(pptx, powerpoint.write(title, subtitle, slides, sources))
        result.written.append(pptx)
    if html is not None:
        _write_whole(html, slideshow.write(title, subtitle, shows, sources))
        result.written.append(html)
    result.seconds = time.perf_counter() - started
    return result


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder: whole or not at all."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
