"""Issue 15: the Deck page (AppTest): a share link restores the deck; a bad one says why as text; slides move and
go; the address follows the deck; Add to deck on a figure card collects its view."""

from __future__ import annotations

import pytest

from mapping.deck import model
from mapping.ui.deck_state import KEY
from tests.robustness.test_visitor_text import _leaks

pytestmark = pytest.mark.integration

HOSTILE = "[Session expired](https://evil.example/) <img src=//127.0.0.1:9/x>"


def _deck() -> model.Deck:
    return model.Deck(
        "Board",
        [
            model.Slide("/clusters?sector=C29&figure=cl_map", HOSTILE),
            model.Slide(model.parse_link("/escp?tab=gap&note=_a_b_*c*"), ""),
            model.Slide("/scoreboard?region=DE11", "Scores"),
        ],
    )


def test_a_share_link_restores_the_deck_as_text(app_test):
    at = app_test("pages/deck.py", deck=model.to_share(_deck()))
    assert [t.value for t in at.text_input][1:] == [HOSTILE, "", "Scores"]
    assert at.text_input[0].value == "Board"
    assert _leaks(at) == []  # titles and links are shown as text
    assert at.session_state[KEY] == _deck()


def test_slides_move_and_go_and_the_address_follows(app_test):
    at = app_test("pages/deck.py", deck=model.to_share(_deck()))
    at.button(key="deck_down_0").click().run()
    assert [s.title for s in at.session_state[KEY].slides] == ["", HOSTILE, "Scores"]
    at.button(key="deck_rm_2").click().run()
    assert [s.title for s in at.session_state[KEY].slides] == ["", HOSTILE]
    assert model.from_share(at.query_params["deck"])[0] == at.session_state[KEY]
    at.text_input(key="deck_title_0").input("Gap").run()
    assert at.session_state[KEY].slides[0].title == "Gap"


@pytest.mark.parametrize(
    ("value", "says"),
    [("not-base64!", "not one this app wrote"), (model.to_share(_deck())[:-12], "cannot be read")],
)
def test_a_bad_share_link_says_why(app_test, value, says):
    at = app_test("pages/deck.py", deck=value)
    assert any(says in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state[KEY].slides == []


def test_add_to_deck_collects_the_view_of_the_figure(app_test):
    # app.py notes the page a run draws (state.begin_run); AppTest runs the page script alone, so it is set here.
    at = app_test("pages/clusters.py", session={"_run_page": "clusters"}, sector="C29", year="2014")
    at.button(key="cl_map_deck").click().run()
    (slide,) = at.session_state[KEY].slides
    page, params = model.page_of(slide.link)
    assert page == "pages/clusters.py" and params["figure"] == "cl_map"
    assert params["sector"] == "C29" and params["year"] == "2014" and "method" in params  # every control's value
    assert slide.title.startswith("C29 ")


def test_a_removal_keeps_the_other_slides_titles(app_test):
    """Red-team review: title boxes kept their text by position; removing slide 1 of two slides of the same view
    showed (and kept) slide 1's title on what had been slide 2."""
    link = model.parse_link("/clusters?sector=C29")
    deck = model.Deck("T", [model.Slide(link, "A"), model.Slide(link, "B")])
    at = app_test("pages/deck.py", deck=model.to_share(deck))
    at.button(key="deck_rm_0").click().run()
    assert [s.title for s in at.session_state[KEY].slides] == ["B"]
    assert [t.value for t in at.text_input][1:] == ["B"]
