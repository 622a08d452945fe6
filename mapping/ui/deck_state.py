"""The visitor's deck in their session, and the Add to deck button of every figure card (Streamlit edge)."""

from __future__ import annotations

import streamlit as st

from mapping.deck.model import MAX_SLIDES, Deck, DeckError, Slide, clean_title, parse_link
from mapping.ui.layout import current_link

KEY = "_deck"


def current() -> Deck:
    """This session's deck (created empty on first use)."""
    deck = st.session_state.get(KEY)
    if not isinstance(deck, Deck):
        deck = st.session_state[KEY] = Deck()
    return deck


def _add(key: str, title: str) -> None:
    # A callback runs before the next run, when the URL and the view are still those the visitor saw.
    deck = current()
    try:
        deck.add(Slide(parse_link(current_link(extra={"figure": key}, drop=("embed", "present"))), clean_title(title)))
    except DeckError as exc:
        st.toast(str(exc), icon=":material/error:")
        return
    st.toast(f"Added to the deck: slide {len(deck.slides)} of at most {MAX_SLIDES}. The Deck page exports it.")


def deck_button(key: str, title: str) -> None:
    """The figure card's Add to deck button: the figure's view link (every control's value) and title."""
    st.button(
        "Add to deck",
        key=f"{key}_deck",
        icon=":material/add_to_queue:",
        on_click=_add,
        args=(key, title),
        help="Collect this view as a slide; the Deck page reorders, retitles and exports the slides",
    )
