"""Deck: the views collected with Add to deck, as slides to reorder, retitle and remove; exported as a PowerPoint
deck or an offline HTML slideshow, saved and loaded as a small JSON file, shared as a link when it fits in one."""

from __future__ import annotations

import streamlit as st

from mapping.deck import model
from mapping.ui import data, deck_state
from mapping.ui import deck_views as views
from mapping.ui.layout import page_header

data.require_database()

page_header("Deck")
views.load_shared()
deck = deck_state.current()
st.session_state.setdefault(views.TITLE_KEY, deck.title)
title = st.text_input("Deck title", max_chars=model.MAX_TITLE, key=views.TITLE_KEY)
deck.title = model.clean_title(title) or model.Deck().title
st.caption(
    f"{len(deck.slides)} of at most {model.MAX_SLIDES} slides. A slide is a view's link: the export runs the view "
    "again, so the slide shows exactly that view (every control's value) with this build's data, its title, source "
    "and vintage, a link back to the live view, and the method and filters in the speaker notes."
)
views.slide_list(deck)
st.subheader("Export")
views.exports(deck)
st.subheader("Save, load, share")
views.files(deck)
views.sync_url(deck)
