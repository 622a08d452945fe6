"""The Deck page's parts: the slide list (reorder, retitle, remove), save / load / share, and the exports.

An export runs ``python -m mapping deck`` in a child process (the same build as the command), one at a time per
server, with a time limit; its progress lines are shown as it goes. Every title and link is shown as text.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import streamlit as st

from mapping import config
from mapping.deck import model
from mapping.deck.build import DEFAULT_BASE_URL
from mapping.formatting import md_escape
from mapping.ui import deck_state
from mapping.ui.layout import current_link

BUILD_TIMEOUT_S = 600
_one_build = threading.Semaphore(1)  # a deck build is a few seconds of CPU per slide: one at a time per server
_SHARE_SEEN = "_deck_share_seen"
_TITLES_STALE = "_deck_titles_stale"
TITLE_KEY = "deck_title_input"  # the deck title's box


def load_shared() -> None:
    """A share link (``?deck=``) replaces the session's deck once. A value this session wrote itself (sync_url) is
    never read back: a rerun may carry the address of a moment ago, which would undo the last change."""
    if st.session_state.pop(_TITLES_STALE, False):
        _forget_titles()
    value = st.query_params.get("deck")
    seen = st.session_state.setdefault(_SHARE_SEEN, set())
    if not value or value in seen:
        return
    seen.add(value)
    try:
        deck, problems = model.from_share(value)
    except model.DeckError as exc:
        st.error(md_escape(exc), icon=":material/link_off:")
        return
    st.session_state[deck_state.KEY] = deck
    _forget_titles()
    for problem in problems:
        st.warning(md_escape(problem), icon=":material/link_off:")


def sync_url(deck: model.Deck) -> None:
    """The address holds the deck when it fits (so Share, a bookmark and a reload give it back)."""
    packed = model.to_share(deck) if deck.slides else None
    if packed:
        st.session_state.setdefault(_SHARE_SEEN, set()).add(packed)
        if st.query_params.get("deck") != packed:
            st.query_params["deck"] = packed
    elif "deck" in st.query_params:
        del st.query_params["deck"]


def slide_list(deck: model.Deck) -> None:
    """One row per slide: number, title (editable), its link, and move / remove buttons."""
    if not deck.slides:
        st.info(
            "The deck is empty. Every figure has an **Add to deck** button below it; the slides collect here. "
            "A deck file (JSON) can be loaded below."
        )
        return
    for i, slide in enumerate(deck.slides):
        with st.container(border=True, key=f"deck_slide_{i}"):
            c1, c2 = st.columns([8, 2], vertical_alignment="center")
            st.session_state.setdefault(f"deck_title_{i}", slide.title)
            title = c1.text_input(
                f"Slide {i + 1} title",
                key=f"deck_title_{i}",
                max_chars=model.MAX_TITLE,
                placeholder="(the figure's own title)",
            )
            if model.clean_title(title) != slide.title:
                deck.slides[i] = model.Slide(slide.link, model.clean_title(title))
            c1.caption(md_escape(f"View: {slide.link}"))
            with c2.container(horizontal=True, gap="small"):
                moves = (("arrow_upward", "up", -1, i == 0), ("arrow_downward", "down", 1, i == len(deck.slides) - 1))
                for icon, name, step, off in moves:
                    st.button("", icon=f":material/{icon}:", key=f"deck_{name}_{i}", disabled=off, on_click=_move,
                              args=(i, step), help=f"Move {name}")  # fmt: skip
                st.button("", icon=":material/delete:", key=f"deck_rm_{i}", on_click=_remove, args=(i,), help="Remove")


def _forget_titles() -> None:
    """Title boxes are keyed by position: after a move, a removal or a load each is set to its slide's title (a
    box's own state would otherwise win over a new default, in the browser too)."""
    deck = deck_state.current()
    for key in [k for k in st.session_state if str(k).startswith("deck_title_")]:
        del st.session_state[key]
    for i, slide in enumerate(deck.slides):
        st.session_state[f"deck_title_{i}"] = slide.title
    st.session_state[TITLE_KEY] = deck.title


def _move(i: int, step: int) -> None:
    slides = deck_state.current().slides
    j = i + step
    if 0 <= i < len(slides) and 0 <= j < len(slides):
        slides[i], slides[j] = slides[j], slides[i]
        _forget_titles()


def _remove(i: int) -> None:
    slides = deck_state.current().slides
    if 0 <= i < len(slides):
        del slides[i]
        _forget_titles()


def files(deck: model.Deck) -> None:
    """Save as a file, load a file, and the share link when the deck fits in one."""
    c1, c2 = st.columns(2)
    with c1:
        st.download_button("Save the deck (JSON)", data=model.to_json(deck), file_name="deck.json",
                           mime="application/json", icon=":material/download:", on_click="ignore",
                           disabled=not deck.slides)  # fmt: skip
        packed = model.to_share(deck) if deck.slides else None
        if packed:
            st.caption("Share this deck (the link holds its views and titles)")
            st.code(current_link(extra={"deck": packed}, drop=("embed", "present", "figure")), language=None)
        elif deck.slides:
            st.caption("This deck is too large for a link: save it as a file and send the file.")
    with c2:
        upload = st.file_uploader("Load a deck file (JSON)", type=["json"], key="deck_upload")
        if upload is not None and st.session_state.get("_deck_loaded") != upload.file_id:
            st.session_state["_deck_loaded"] = upload.file_id
            try:
                if upload.size > model.MAX_FILE:
                    raise model.DeckError(f"The deck file is {upload.size:,} bytes; a deck file has at most "
                                          f"{model.MAX_FILE:,}.")  # fmt: skip
                loaded, problems = model.from_json(upload.getvalue())
            except model.DeckError as exc:
                st.error(md_escape(exc))
                return
            st.session_state[deck_state.KEY] = loaded
            st.session_state[_TITLES_STALE] = True  # the title boxes of this run exist: reset them next run
            st.session_state["_deck_problems"] = problems
            st.rerun()
        for problem in st.session_state.pop("_deck_problems", []):
            st.warning(md_escape(problem))


def exports(deck: model.Deck) -> None:
    """Build the PowerPoint deck or the HTML slideshow, then offer the file."""
    kinds = {"pptx": ("PowerPoint (.pptx)", "--out"), "html": ("offline HTML slideshow", "--html")}
    cols = st.columns(len(kinds))
    for col, (ext, (label, flag)) in zip(cols, kinds.items(), strict=True):
        spec = model.to_json(deck)
        if col.button(f"Build {label}", key=f"deck_build_{ext}", icon=":material/slideshow:",
                      disabled=not deck.slides):  # fmt: skip
            st.session_state[f"_deck_file_{ext}"] = (spec, _build(deck, ext, flag))
        built_from, made = st.session_state.get(f"_deck_file_{ext}", (None, None))
        if made and built_from != spec:
            col.caption("The deck changed since this file was built: build it again.")
        elif made:
            col.download_button(f"Download {label}", data=made, file_name=f"deck.{ext}", key=f"deck_dl_{ext}",
                                icon=":material/download:", on_click="ignore")  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _build(deck: model.Deck, ext: str, flag: str) -> bytes | None:
    if not _one_build.acquire(blocking=False):
        st.warning("Another deck is being built on this server; try again in a minute.")
        return None
    try:
        with tempfile.TemporaryDirectory() as tmp, st.status("Building the deck ...", expanded=True) as status:
            spec = Path(tmp) / "deck.json"
            spec.write_bytes(model.to_json(deck))
            out = Path(tmp) / f"deck.{ext}"
            base = (st.context.url or "").rsplit("/", 1)[0] or DEFAULT_BASE_URL
            cmd = [sys.executable, "-m", "mapping", "deck", "--from", str(spec), flag, str(out), "--base-url", base]
            env = {**os.environ, "CLUSTERMAP_DB": str(config.db_path())}
            # A session of its own: the child and kaleido's Chromium are stopped together.
            proc = subprocess.Popen(cmd, cwd=config.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
            timer = threading.Timer(BUILD_TIMEOUT_S, _stop, args=(proc,))
            timer.start()
            skipped = 0
            try:
                for line in proc.stderr:
                    if line.startswith(("[", "SKIPPED", "Wrote", "DECK NOT", "No ")):
                        st.text(line.rstrip())  # text: a line may quote a visitor's link
                        skipped += "SKIPPED" in line
                proc.wait()
            finally:  # also when the visitor reruns or leaves mid-build (Streamlit raises in st.text)
                timer.cancel()
                _stop(proc)
            if not out.exists():
                status.update(label="The deck was not built (see above).", state="error")
                return None
            if skipped:
                label = f"The deck is ready without {skipped} slide(s): the reasons are above."
                status.update(label=label, state="error", expanded=True)
            else:
                status.update(label="The deck is ready.", state="complete", expanded=False)
            return out.read_bytes()
    finally:
        _one_build.release()
