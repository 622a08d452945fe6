"""A view link run headlessly: the app's own page script, in a session of its own (Streamlit's AppTest runner),
with the link's parameters; what it draws is what a visitor of the link sees. Its figure cards record themselves
(``figure_card.CAPTURE``), so a slide has the same figure, title and caption as the page.

A link whose page says a parameter could not be used (the URL notices) or that raises is a bad link: DeckError
with the page's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapping import config
from mapping.deck.model import DeckError, page_of, plain

NOTICE_ICON = ":material/link_off:"  # state.show_notices: a URL value the page could not use


@dataclass
class View:
    link: str
    page: str  # the page's script
    key: str  # the figure card's key
    figure: Any  # plotly Figure (pydeck decks have no image export and are refused)
    title: str
    caption: str
    filters: dict[str, str]  # every control's value as the page resolved it


def capture(link: str, *, timeout: float = 90) -> View:
    """Run the view of ``link`` (normalised by model.parse_link) and return the figure it names (``figure=``) or,
    without one, the first figure it draws."""
    import plotly.graph_objects as go
    from streamlit.testing.v1 import AppTest

    from mapping.ui.figure_card import CAPTURE

    script, params = page_of(link)
    wanted = params.pop("figure", None)
    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.session_state[CAPTURE] = []
    at.switch_page(script)
    try:
        at.run()
    except RuntimeError as exc:  # AppTest's timeout
        raise DeckError(f"The view did not finish within {timeout:g} s ({str(exc)[:80]}).") from None
    if at.exception:
        raise DeckError(f"The page failed on this link: {str(at.exception[0].value)[:200]}")
    notices = [str(i.value) for i in at.info if getattr(i, "icon", "") == NOTICE_ICON]
    if notices:
        raise DeckError(notices[0].replace("\\", ""))
    cards = at.session_state[CAPTURE]
    if wanted is not None:
        cards = [c for c in cards if c[0] == wanted]
        if not cards:
            raise DeckError(f"This view draws no figure “{wanted}” (the figure's Add to deck button gives its link).")
    cards = [c for c in cards if isinstance(c[1], go.Figure)]
    if not cards:
        raise DeckError("This view draws no figure that can be exported as an image.")
    key, fig, title, caption = cards[0]
    # The filters are what the page's controls resolved (parameters a page ignores are not filters).
    resolved = dict(at.session_state["_view"]) if "_view" in at.session_state else {}
    filters = {k: plain(v) for k, v in resolved.items() if v != "" and k not in ("figure", "embed", "present")}
    return View(link, script, key, go.Figure(fig), title, caption, filters)
