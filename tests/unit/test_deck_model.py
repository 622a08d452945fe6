"""Issue 15: a deck's links, titles, files and share links are a visitor's input: checked, limited, never run
unless they name a page of this app."""

from __future__ import annotations

import base64
import json
import random
import zlib

import pytest

from mapping.deck import model
from mapping.deck.model import Deck, DeckError, Slide


def test_links_are_normalised_to_a_page_and_its_parameters():
    assert model.parse_link("http://example.org:8501/clusters?sector=C29&embed=true") == "/clusters?sector=C29"
    assert (
        model.parse_link(" /scoreboard?region=DE11&present=1&figure=sb_map ") == "/scoreboard?region=DE11&figure=sb_map"
    )
    assert model.parse_link("https://x/") == "/map"
    assert model.page_of("/clusters?sector=C29&figure=cl_map") == (
        "pages/clusters.py",
        {"sector": "C29", "figure": "cl_map"},
    )


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("", "empty"),
        ("javascript:alert(1)", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("/admin?x=1", "not a page"),
        ("/../../etc/passwd", "not a page"),
        ("/clusters?sector=C29\x07&year=2014", "control"),
        ("/clusters?" + "a=1&" * 600, "characters long"),
        ("/clusters?figure=<script>", "not a figure name"),
        ("/clusters?%3Cb%3E=1", "parameter name"),
    ],
)
def test_bad_links_are_refused_with_the_reason(link, reason):
    with pytest.raises(DeckError, match=reason):
        model.parse_link(link)


def test_titles_are_plain_text_and_bounded():
    assert model.clean_title("  a\tb\x00c\n d ") == "a b c d"
    assert len(model.clean_title("x" * 500)) == model.MAX_TITLE


def test_a_deck_holds_at_most_the_limit():
    deck = Deck(slides=[Slide("/map")] * model.MAX_SLIDES)
    with pytest.raises(DeckError, match="at most 40"):
        deck.add(Slide("/map"))


def test_file_round_trip_and_bad_slides_named():
    deck = Deck("Board, May", [Slide("/clusters?sector=C29", "Cars"), Slide("/escp?tab=gap")])
    again, problems = model.from_json(model.to_json(deck))
    assert again == deck and problems == []
    body = json.loads(model.to_json(deck))
    body["slides"] += [{"link": "/nowhere"}, "text", {"link": "/map", "title": "<b>x</b>"}]
    loaded, problems = model.from_json(json.dumps(body))
    assert [s.link for s in loaded.slides] == ["/clusters?sector=C29", "/escp?tab=gap", "/map"]
    assert loaded.slides[-1].title == "<b>x</b>"  # kept as text: every writer escapes it
    assert problems[0].startswith("Slide 3:") and "not a page" in problems[0] and problems[1].startswith("Slide 4:")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b'{"slides": []}', "not a deck file"),
        (b"[1, 2]", "not a deck file"),
        (b" " * (model.MAX_FILE + 1), "at most"),
    ],
)
def test_bad_files_are_refused(raw, reason):
    with pytest.raises(DeckError, match=reason):
        model.from_json(raw)


def test_a_file_with_too_many_slides_keeps_the_first_forty():
    body = {"format": model.FORMAT, "slides": [{"link": f"/map?year={y}"} for y in range(60)]}
    deck, problems = model.from_json(json.dumps(body))
    assert len(deck.slides) == model.MAX_SLIDES and "left out" in problems[-1]


def test_share_links_round_trip_and_refuse_tampering():
    deck = Deck("T", [Slide(f"/clusters?sector=C{n}", f"Sector {n}") for n in range(10, 20)])
    packed = model.to_share(deck)
    assert packed and len(packed) <= model.SHARE_LIMIT
    assert model.from_share(packed)[0] == deck
    with pytest.raises(DeckError, match="cannot be read"):
        model.from_share(packed[:-10])
    with pytest.raises(DeckError, match="not one this app wrote"):
        model.from_share(packed + "!")


def test_a_compressed_bomb_in_a_share_link_is_refused_unread():
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 2_000_000, 9)).decode().rstrip("=")
    assert len(bomb) <= model.SHARE_LIMIT  # small enough to pass the length check
    with pytest.raises(DeckError, match="at most"):
        model.from_share(bomb)


def test_a_deck_too_large_for_a_link_has_no_share_value():
    rng = random.Random(1)
    noise = lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(300))  # noqa: E731
    deck = Deck("T", [Slide(f"/clusters?sector=C{n}&note={noise()}", noise()[:120]) for n in range(40)])
    assert model.to_share(deck) is None


def _packed(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def test_a_share_link_of_many_bad_slides_names_ten_and_counts_the_rest():
    """Red-team review: 343 characters of ?deck= made the page draw 99,000 warnings."""
    raw = b'{"format": "clustermap-deck", "slides": [' + b",".join([b"0"] * 50_000) + b"]}"
    deck, problems = model.from_share(_packed(raw))
    assert deck.slides == [] and len(problems) == model.MAX_PROBLEMS + 1
    assert problems[-1] == f"... and {50_000 - model.MAX_PROBLEMS:,} more slides that could not be used."


def test_deeply_nested_json_is_refused_with_a_message():
    with pytest.raises(DeckError, match="nested too deeply"):
        model.from_share(_packed(b"[" * 150_000))


def test_characters_no_file_can_hold_are_dropped_or_refused():
    """Red-team review: a lone surrogate or U+FFFE in a title or link broke saving, sharing and the PowerPoint file."""
    raw = json.dumps({"format": model.FORMAT, "slides": [{"link": "/map", "title": "a\ud800b\ufffec"}]})
    deck, problems = model.from_json(raw)
    assert deck.slides[0].title == "abc" and problems == []
    assert model.from_share(model.to_share(deck))[0] == deck
    for link in ("/map?x=\ud800", "/map?foo=%EF%BF%BE", "/map?x=%00"):
        with pytest.raises(DeckError, match="control characters"):
            model.parse_link(link)
    assert model.plain("a\ufffeb\x00c\nd") == "abc\nd"


def test_an_empty_figure_parameter_means_the_first_figure():
    assert model.parse_link("/clusters?figure=&sector=C29") == "/clusters?sector=C29"
