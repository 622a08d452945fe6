"""The visitor's deck in their session, and the Add to deck button of every figure card (Streamlit edge)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from mapping.deck.model import MAX_SLIDES, Deck, DeckError, Slide, clean_title, parse_link
from mapping.formatting import md_escape
from mapping.ui import state

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
        params = {k: v for k, v in state.view().items() if k not in ("embed", "present", "deck")}
        link = f"/{state.current_page()}?{urlencode({**params, 'figure': key})}"
        deck.add(Slide(parse_link(link), clean_title(title)))
    except DeckError as exc:
        st.toast(md_escape(exc), icon=":material/error:")
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


def _add_all(cards: list[tuple[str, str]]) -> None:
    deck, before = current(), len(current().slides)
    params = {k: v for k, v in state.view().items() if k not in ("embed", "present", "deck")}
    try:
        for key, title in cards:
            link = f"/{state.current_page()}?{urlencode({**params, 'figure': key})}"
            deck.add(Slide(parse_link(link), clean_title(title)))
    except DeckError as exc:
        st.toast(md_escape(exc), icon=":material/error:")
    added = len(deck.slides) - before
    st.toast(f"Added {added} slide(s) to the deck ({len(deck.slides)} of at most {MAX_SLIDES}).")


def deck_all_button(cards: list[tuple[str, str]], *, key: str) -> None:
    """One button that adds every figure of the page (``cards``: key, title) to the deck, in order."""
    st.button(
        f"Add all {len(cards)} figures to the deck",
        key=key,
        icon=":material/add_to_queue:",
        on_click=_add_all,
        args=(cards,),
        disabled=not cards,
        help="One slide per figure of this dashboard; the Deck page reorders, retitles and exports them",
    )
