"""A deck: a title and a list of slides, each a view link of this app and a title. Pure Python, no Streamlit.

Every link, title and file is a visitor's input: it is checked here (size, page, parameters) before anything
runs, and each problem is a :class:`DeckError` whose text says what was wrong, to be shown as plain text.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_SLIDES = 40
MAX_LINK = 2000  # characters of one view link
MAX_TITLE = 120  # characters of a slide or deck title
MAX_FILE = 200_000  # bytes of a deck file
SHARE_LIMIT = 6000  # characters of the ?deck= parameter: a share link stays usable in mail and chat
FORMAT = "clustermap-deck"

# url path -> page script (the app's pages; "" is the default page, the map)
PAGES = {
    "": "pages/map.py",
    "map": "pages/map.py",
    "region": "pages/region.py",
    "clusters": "pages/clusters.py",
    "scoreboard": "pages/scoreboard.py",
    "related": "pages/related.py",
    "compare": "pages/compare.py",
    "escp": "pages/escp.py",
    "data": "pages/data.py",
}
_DROPPED = ("embed", "present", "deck")  # display modes, not part of a view
_KEY = re.compile(r"[A-Za-z0-9_]{1,40}")
_FIGURE = re.compile(r"[A-Za-z0-9_]{1,60}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What XML 1.0 (PowerPoint's files) and UTF-8 cannot hold: lone surrogates, U+FFFE, U+FFFF.
_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")
MAX_PROBLEMS = 10  # problems named one by one when a file or link is read; the rest are counted


class DeckError(ValueError):
    """A link, title or deck file that cannot be used; the message says why (plain text)."""


@dataclass(frozen=True)
class Slide:
    link: str  # normalised: "/<page>?<params>", see parse_link
    title: str = ""  # "" = the figure's own title


@dataclass
class Deck:
    title: str = "EU cluster mapping"
    slides: list[Slide] = field(default_factory=list)

    def add(self, slide: Slide) -> None:
        if len(self.slides) >= MAX_SLIDES:
            raise DeckError(f"A deck holds at most {MAX_SLIDES} slides; remove one first.")
        self.slides.append(slide)


def plain(text: object) -> str:
    """Text any output can hold: control characters (but line breaks) and what XML cannot hold removed."""
    return _UNWRITABLE.sub("", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", str(text)))


def clean_title(text: object) -> str:
    """A title as plain text: control characters removed, spaces collapsed, cut at MAX_TITLE."""
    text = _UNWRITABLE.sub("", _CONTROL.sub(" ", str(text or "")))
    return " ".join(text.split())[:MAX_TITLE]


def parse_link(text: str) -> str:
    """A view link of this app (absolute or ``/page?...``) as ``/<page>?<params>``; DeckError if it is not one."""
    text = str(text).strip()
    if not text:
        raise DeckError("The link is empty.")
    if len(text) > MAX_LINK:
        raise DeckError(f"The link is {len(text):,} characters long; a view link has at most {MAX_LINK:,}.")
    if _CONTROL.search(text) or _UNWRITABLE.search(text):
        raise DeckError("The link contains control characters.")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise DeckError(f"The link cannot be read ({exc}).") from None
    if parts.scheme not in ("", "http", "https"):
        raise DeckError(f"The link's scheme “{parts.scheme[:20]}” is not http or https.")
    page = parts.path.strip("/")
    if page not in PAGES:
        raise DeckError(f"“/{page[:60]}” is not a page of this app (pages: {', '.join(p for p in PAGES if p)}).")
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if not _KEY.fullmatch(key):
            raise DeckError(f"The link has a parameter name this app does not use: “{key[:40]}”.")
        if _CONTROL.search(value) or _UNWRITABLE.search(value):
            raise DeckError(f"The link's parameter “{key}” contains control characters.")
        if key not in _DROPPED:
            params[key] = value
    if not params.get("figure", "x"):
        del params["figure"]  # "figure=": the view's first figure
    if "figure" in params and not _FIGURE.fullmatch(params["figure"]):
        raise DeckError(f"“{params['figure'][:60]}” is not a figure name.")
    return f"/{page or 'map'}" + (f"?{urlencode(params)}" if params else "")


def page_of(link: str) -> tuple[str, dict[str, str]]:
    """The page script and the parameters of a normalised link."""
    parts = urlsplit(link)
    return PAGES[parts.path.strip("/")], dict(parse_qsl(parts.query, keep_blank_values=True))


def to_json(deck: Deck) -> bytes:
    """The deck file: its title and, per slide, the view link and title."""
    body = {"format": FORMAT, "version": 1, "title": deck.title, "slides": [s.__dict__ for s in deck.slides]}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def from_json(raw: bytes | str) -> tuple[Deck, list[str]]:
    """A deck read from a file; the slides that could not be used are left out and named in the returned list."""
    if len(raw) > MAX_FILE:
        raise DeckError(f"The deck file is {len(raw):,} bytes; a deck file has at most {MAX_FILE:,}.")
    try:
        body = json.loads(raw)
    except RecursionError:
        raise DeckError("The deck file is nested too deeply to be a deck file.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeckError(f"The deck file is not JSON ({str(exc)[:80]}).") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("slides"), list):
        raise DeckError(f'The file is not a deck file (it needs "format": "{FORMAT}" and a list of slides).')
    deck, problems, bad = Deck(title=clean_title(body.get("title")) or Deck().title), [], 0
    for i, item in enumerate(body["slides"], start=1):
        if len(deck.slides) >= MAX_SLIDES:
            problems.append(f"Slides after {MAX_SLIDES} were left out.")
            break
        try:
            if not isinstance(item, dict):
                raise DeckError("not a link and a title")
            deck.add(Slide(parse_link(str(item.get("link", ""))), clean_title(item.get("title", ""))))
        except DeckError as exc:
            bad += 1
            if bad <= MAX_PROBLEMS:
                problems.append(f"Slide {i}: {exc}")
    if bad > MAX_PROBLEMS:
        problems.append(f"... and {bad - MAX_PROBLEMS:,} more slides that could not be used.")
    return deck, problems


def to_share(deck: Deck) -> str | None:
    """The ``?deck=`` value for a share link, or None when the deck is too large for one (save it as a file)."""
    packed = base64.urlsafe_b64encode(zlib.compress(to_json(deck), 9)).decode("ascii").rstrip("=")
    return packed if len(packed) <= SHARE_LIMIT else None


def from_share(value: str) -> tuple[Deck, list[str]]:
    """A deck from a share link's ``?deck=`` value (checked as a deck file is)."""
    if len(value) > SHARE_LIMIT or not re.fullmatch(r"[A-Za-z0-9_-]*", value):
        raise DeckError("The deck in this link is not one this app wrote (too long or not base64).")
    try:
        packed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_FILE + 1)
    except (ValueError, zlib.error):
        raise DeckError("The deck in this link cannot be read (it was cut or changed).") from None
    if inflater.unconsumed_tail or len(raw) > MAX_FILE:
        raise DeckError(f"The deck in this link is larger than a deck may be (at most {MAX_FILE:,} bytes).")
    if not inflater.eof:
        raise DeckError("The deck in this link cannot be read (it was cut or changed).")
    return from_json(raw)
