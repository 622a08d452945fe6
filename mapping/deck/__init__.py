"""Presentation decks: a list of views (each its link, so it can be rebuilt exactly) exported as a PowerPoint deck
or one offline HTML slideshow, from the Deck page or by command (``python -m mapping deck``)."""
