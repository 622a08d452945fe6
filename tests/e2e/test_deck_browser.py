"""Issue 15: decks. Built by command from views of every page and through the Deck page in Chromium; the PowerPoint
file read back with python-pptx and rendered by LibreOffice Impress (no text box meets another or the figure); the
HTML slideshow opened offline with every request blocked."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from mapping.config import PROJECT_ROOT
from mapping.deck.model import Deck, Slide, parse_link, to_json, to_share
from tests.e2e.conftest import ARTIFACTS, block_outside, wait_for_app, wait_idle

BASE = "http://dash.example.org"
LINKS = [
    "/map?indicator=ris.0&level=2&year=2023",
    "http://127.0.0.1:8501/clusters?sector=C29&year=2014&figure=cl_map",
    "/scoreboard?region=DE11&figure=sb_map",
    "/related?region=DE21",
    "/compare?regions=DE11,FR10,PL91&chart=parallel",
    "/escp?tab=gap",
]
BAD = ["/data", "/nowhere?x=1", "/clusters?sector=ZZ99"]


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def _named(slide, name: str):
    return next(s for s in slide.shapes if s.name == name)


@pytest.fixture(scope="module")
def built(real_db, chromium_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deck")
    out, html = tmp / "deck.pptx", tmp / "deck.html"
    cmd = [sys.executable, "-m", "mapping", "deck", *LINKS[:3], *BAD, *LINKS[3:], "--out", str(out),
           "--html", str(html), "--title", "Board <b>May</b>", "--base-url", BASE]  # fmt: skip
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env={**os.environ, "CLUSTERMAP_DB": str(real_db)},
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    made = re.findall(r"^\[\d+/\d+\] (?!SKIPPED)(.+) \(\d+\.\d s\)$", proc.stderr, flags=re.M)
    return proc, out, html, made


def test_command_reports_progress_and_skips_bad_links(built):
    proc, out, html, made = built
    assert proc.returncode == 3, proc.stderr[-2000:]  # written, with links skipped
    assert len(made) == len(LINKS) and out.exists() and html.exists(), proc.stderr[-3000:]
    assert "[4/9] SKIPPED /data: This view draws no figure" in proc.stderr
    assert "SKIPPED /nowhere?x=1: “/nowhere” is not a page of this app" in proc.stderr
    assert "SKIPPED /clusters?sector=ZZ99: The link asked for sector = “ZZ99”" in proc.stderr
    assert "6 slides in" in proc.stderr


def test_pptx_read_back(built):
    _, out, _, made = built
    prs = Presentation(str(out))
    slides = list(prs.slides)
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert _named(slides[0], "Title").text_frame.text == "Board <b>May</b>"  # text, as typed
    views, sources = slides[1 : 1 + len(LINKS)], slides[1 + len(LINKS) :]
    assert [_named(s, "Title").text_frame.text for s in views] == made
    for slide, link in zip(views, LINKS, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1 and pictures[0].image.size == (1600, 900)
        url = _named(slide, "Link").text_frame.paragraphs[0].runs[0].hyperlink.address
        assert url == BASE + parse_link(link)
        notes = _notes(slide)
        assert f"Live view: {url}" in notes and "Method: " in notes
        assert "Source and vintage: " + _named(slide, "Source").text_frame.text in notes
        for key, value in parse_qsl(urlsplit(url).query):
            if key != "figure":
                assert f"{key} = {value}" in notes, (key, notes)
    assert _named(views[1], "Title").text_frame.text.startswith("C29 ")
    assert "year = 2014" in _notes(views[1]) and "sector = C29" in _notes(views[1])
    listed = "\n".join(_named(s, "Title").text_frame.text + "\n" + "\n".join(
        sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in sources)  # fmt: skip
    assert listed.startswith("Sources")
    for needed in ("Regional Innovation Scoreboard 2023", "sbs_r_nuts06_r2", "CC BY 4.0", "EuroGeographics"):
        assert needed in listed, needed


def _boxes(page) -> tuple[list[tuple[float, float, float, float]], list[tuple[float, float, float, float]]]:
    """Text line boxes and image boxes of a PDF page (points, origin bottom left)."""
    import pypdfium2.raw as raw

    text = page.get_textpage()
    lines = [text.get_rect(i) for i in range(text.count_rects())]
    images = [obj.get_bounds() for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE])]
    text.close()
    return lines, images


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_slides_rendered_by_libreoffice_do_not_overlap(built, tmp_path):
    """LibreOffice Impress lays the slides out (fonts, wrapping); in its PDF no line of text meets another line or
    the figure, and every line is inside the slide. The slides are saved as PNG to look at."""
    import pypdfium2 as pdfium

    _, out, _, _ = built
    assert shutil.which("soffice"), ".ci/run installs libreoffice-impress"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=300)  # fmt: skip
    pdf = pdfium.PdfDocument(str(tmp_path / "deck.pdf"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert len(pdf) == len(Presentation(str(out)).slides)
    for n, page in enumerate(pdf, start=1):
        width, height = page.get_size()
        lines, images = _boxes(page)
        assert lines, f"slide {n} has no text"
        for i, a in enumerate(lines):
            assert a[0] >= 0 and a[1] >= 0 and a[2] <= width + 1 and a[3] <= height + 1, (n, a)
            for b in lines[i + 1 :]:
                assert not _overlap(a, b), f"slide {n}: text lines {a} and {b} overlap"
            for img in images:
                assert not _overlap(a, img), f"slide {n}: text {a} is on the figure {img}"
        page.render(scale=1).to_pil().save(ARTIFACTS / f"deck-slide-{n:02d}.png")
        page.close()
    pdf.close()


def test_html_slideshow_offline(built, browser):
    """Every request from the slideshow is blocked and recorded; none is made. Arrow keys move through the slides,
    each figure is drawn by the inlined plotly.js, N shows the notes."""
    _, _, html, made = built
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    asked = block_outside(context, ("file://",))
    pg = context.new_page()
    try:
        pg.goto(html.as_uri())
        assert pg.locator("section.on h1").inner_text() == "Board <b>May</b>"
        for i, title in enumerate(made, start=2):
            pg.keyboard.press("ArrowRight")
            assert pg.locator("section.on h1").inner_text() == title
            pg.wait_for_selector("section.on .fig .main-svg", timeout=30_000)
            assert pg.locator(".count").inner_text() == f"{i} / {len(made) + 2}"
        pg.keyboard.press("n")
        assert "Filters:" in pg.locator("section.on .notes").inner_text()
        pg.screenshot(path=str(ARTIFACTS / "deck-slideshow.png"))
        pg.keyboard.press("ArrowRight")
        assert pg.locator("section.on h1").inner_text() == "Sources"
        pg.keyboard.press("Home")
        assert pg.locator(".count").inner_text() == f"1 / {len(made) + 2}"
    finally:
        context.close()
    assert asked == []


SIDEBAR = ["Clusters", "Scoreboard", "Related sectors", "Compare regions", "Cluster partnerships"]
PATHS = ["/map", "/clusters", "/scoreboard", "/related", "/compare", "/escp"]


def _add_first_figure(page) -> None:
    wait_for_app(page)
    page.locator("[class*='_deck'] button:visible", has_text="Add to deck").first.click()
    wait_idle(page)


def test_deck_built_through_the_ui(page, app_url, browser, tmp_path):
    """A figure of every page added (moving by the sidebar, in one session), a slide moved and retitled on the Deck
    page, the PowerPoint file built and downloaded and read back; the share link opens the same deck in a fresh
    context."""
    page.goto(app_url + "/?region=DE11")
    _add_first_figure(page)
    for label in SIDEBAR:
        page.get_by_test_id("stSidebarUserContent").get_by_role("link", name=label).click()
        _add_first_figure(page)
    page.get_by_test_id("stSidebarUserContent").get_by_role("link", name="Deck").click()
    page.wait_for_selector("text=Slide 6 title")
    wait_idle(page)
    page.locator(".st-key-deck_up_1 button").first.click()  # clusters before the map
    first = page.get_by_label("Slide 1 title")
    expect(first).to_have_value(re.compile(r"^C\d"), timeout=30_000)  # the clusters figure's own title
    wait_idle(page)
    first.fill("Clusters <i>of</i> DE11")
    first.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Build PowerPoint (.pptx)").click()
    page.get_by_role("button", name="Download PowerPoint (.pptx)").wait_for(timeout=300_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PowerPoint (.pptx)").click()
    path = tmp_path / "ui.pptx"
    download.value.save_as(path)
    slides = list(Presentation(str(path)).slides)[1:7]
    assert _named(slides[0], "Title").text_frame.text == "Clusters <i>of</i> DE11"
    links = [_named(s, "Link").text_frame.paragraphs[0].runs[0].hyperlink.address for s in slides]
    order = [PATHS[1], PATHS[0], *PATHS[2:]]
    assert [urlsplit(u).path for u in links] == order, links
    assert all("figure=" in u for u in links) and "region=DE11" in links[1]
    assert all(len([s for s in sl.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]) == 1 for sl in slides)
    shared = page.url
    assert "deck=" in shared
    fresh = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = fresh.new_page()
        other.goto(shared)
        other.wait_for_selector("text=Slide 6 title", timeout=60_000)
        assert other.get_by_label("Slide 1 title").input_value() == "Clusters <i>of</i> DE11"
        other.screenshot(path=str(ARTIFACTS / "deck-page-shared.png"))
    finally:
        fresh.close()


def test_a_deck_file_loads_and_a_bad_one_says_why(page, app_url, tmp_path):
    """Load a saved deck over a deck with slides (the title boxes show the loaded titles); a bad file is named."""
    good = tmp_path / "deck.json"
    deck = Deck("Loaded", [Slide(parse_link("/escp?tab=gap"), "First <b>one</b>"), Slide(parse_link("/map"), "")])
    good.write_bytes(to_json(deck))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "clustermap-deck", "slides": [{"link": "/nowhere"}, {"link": "/map"}]}')
    page.goto(app_url + "/deck?deck=" + to_share(Deck("Old", [Slide("/clusters", "Old title")])))
    page.wait_for_selector("text=Slide 1 title")
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    page.wait_for_selector("text=Slide 2 title")
    wait_idle(page)
    assert page.get_by_label("Slide 1 title").input_value() == "First <b>one</b>"
    assert page.get_by_label("Deck title").input_value() == "Loaded"
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    page.wait_for_selector("text=Slide 1: “/nowhere” is not a page of this app")
    wait_idle(page)
    assert page.get_by_label("Slide 1 title").input_value() == ""
    assert page.locator("text=Slide 2 title").count() == 0
