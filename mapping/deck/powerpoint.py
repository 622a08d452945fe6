"""The deck as a PowerPoint file (python-pptx): a title slide, one 16:9 slide per view and a sources slide.

A view's slide: its title on top, the figure as a 1600 x 900 image (the PNG export's rendering, without the title
and source drawn into it), the source and vintage line below, a link to the live view; the method and the exact
filters in the speaker notes. The boxes are placed in fixed bands that do not overlap (tests check the geometry and
render the slides with LibreOffice).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from mapping.deck.capture import View
from mapping.deck.model import plain

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in, PowerPoint's 16:9
MARGIN = Inches(0.45)
TITLE_BAND = (Inches(0.25), Inches(0.85))  # top, height
PICTURE_TOP = Inches(1.15)
LINK_BAND = (Inches(7.05), Inches(0.33))
GAP = Inches(0.08)
GREY = RGBColor(0x44, 0x44, 0x44)
SOURCES_PER_SLIDE = 12
# A character of the sans-serif default is at most this many points wide per point of size (upper bound); a line
# is 1.2 sizes high. Used to give the source line the height its text needs, taken from the picture.
CHAR_W, LINE_H = 0.6, 1.2


@dataclass
class SlideContent:
    view: View
    title: str
    url: str  # the live view
    image: bytes  # PNG, 16:9
    notes: str


def _text(slide, band: tuple[Emu, Emu], text: str, *, size: int, color: RGBColor | None = None, link: str = ""):
    top, height = band
    box = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = plain(text)
    run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    if link:
        run.hyperlink.address = link
    return box


def _title_size(text: str) -> int:
    """26 pt when the title fits one line, else 22 pt (two lines of 22 pt fit the band; MAX_TITLE fits two)."""
    return 26 if lines_needed(text, size=26, width=WIDTH - 2 * MARGIN - Inches(0.2)) == 1 else 22


def lines_needed(text: str, *, size: float, width: Emu) -> int:
    per_line = max(int(Emu(width).pt / (size * CHAR_W)), 10)
    return max(1, -(-len(text) // per_line))


def source_band(caption: str) -> tuple[int, Emu]:
    """Font size and height of the source line: 10 pt, 8 pt for a long one, as many lines as it needs."""
    size = 10 if len(caption) < 500 else 8
    lines = lines_needed(caption, size=size, width=WIDTH - 2 * MARGIN - Inches(0.2))
    return size, Emu(int(Pt(lines * size * LINE_H + 8)))


def _view_slide(prs, content: SlideContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    box = _text(slide, TITLE_BAND, content.title, size=_title_size(content.title))
    box.name = "Title"
    size, source_h = source_band(content.view.caption)
    source_top = LINK_BAND[0] - GAP - source_h
    height = source_top - GAP - PICTURE_TOP
    width = int(height * 16 / 9)
    picture = slide.shapes.add_picture(io.BytesIO(content.image), int((WIDTH - width) / 2), PICTURE_TOP, width, height)
    picture.name = "Figure"
    _text(slide, (source_top, source_h), content.view.caption, size=size, color=GREY).name = "Source"
    _text(slide, LINK_BAND, "Open the live view", size=11, link=content.url).name = "Link"
    slide.notes_slide.notes_text_frame.text = plain(content.notes)


def _title_slide(prs, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    size = 40 if lines_needed(title, size=40, width=WIDTH - 2 * MARGIN - Inches(0.2)) == 1 else 28
    _text(slide, (Inches(2.4), Inches(1.4)), title, size=size).name = "Title"
    _text(slide, (Inches(4.0), Inches(1.6)), subtitle, size=16, color=GREY).name = "Subtitle"


def _sources_slide(prs, sources: Sequence[dict], heading: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, TITLE_BAND, heading, size=26).name = "Title"
    top = TITLE_BAND[0] + TITLE_BAND[1] + Inches(0.1)
    box = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.3))
    frame = box.text_frame
    frame.word_wrap = True
    size = 12 if len(sources) <= 8 else 10
    for i, src in enumerate(sources):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        head = para.add_run()
        head.text = plain(f"{src['title']}. ")
        head.font.size, head.font.bold = Pt(size), True
        body = para.add_run()
        body.text = plain(f"{src['attribution']}. Licence: {src['licence']}. ")
        body.font.size = Pt(size)
        if src.get("url"):
            link = para.add_run()
            link.text = str(src["url"])
            link.font.size = Pt(size)
            link.hyperlink.address = str(src["url"])


def write(title: str, subtitle: str, slides: Sequence[SlideContent], sources: Sequence[dict]) -> bytes:
    """The .pptx file's bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, title, subtitle)
    for content in slides:
        _view_slide(prs, content)
    parts = [sources[i : i + SOURCES_PER_SLIDE] for i in range(0, len(sources), SOURCES_PER_SLIDE)] or [[]]
    for i, part in enumerate(parts, start=1):
        _sources_slide(prs, part, "Sources" if len(parts) == 1 else f"Sources ({i}/{len(parts)})")
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
