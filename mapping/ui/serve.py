"""Start the app: ``python -m mapping.ui.serve [streamlit options]`` (what ``make run`` uses).

Streamlit switches to its legacy multipage mode when a ``pages/`` folder sits next to the main
script, until ``st.navigation`` has run once. A first visit straight to ``/map`` after a server
start would then run the page without ``app.py`` (no layout, no navigation). Declaring the app a
``st.navigation`` app before the server starts removes that first-visit glitch.

Two limits Streamlit has no setting for are added here (``harden``), for the uploads a visitor can send:

* a session holds at most ``SESSION_UPLOAD_BYTES`` of uploaded files and the server ``TOTAL_UPLOAD_BYTES``;
  beyond that an upload is refused (``server.maxUploadSize`` already caps one file);
* a session's uploaded files are dropped when its browser disconnects. Streamlit keeps a disconnected session
  for a reconnect, and a session evicted from that store is never shut down, so its files stayed in memory.

And one for what a person waits for (``preload_chunks``): Streamlit's page names only its core bundles in the
HTML, and fetches an element's code when the first such element arrives from the script. Every page here
shows a plotly figure first, so the browser sat idle while the script ran and only then fetched and compiled
the 4.6 MB plotly bundle (measured with ``python -m bench browser``). The page now names the bundles our pages
use (``PRELOADED``, with the modules they import) as ``modulepreload`` links, so the browser fetches and
compiles them while the script runs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from mapping.config import PROJECT_ROOT

SESSION_UPLOAD_BYTES = 45 * 2**20  # two files at the app's 20 MB limit, plus headroom
TOTAL_UPLOAD_BYTES = 512 * 2**20


def harden() -> None:
    """Bound the uploaded bytes per session and in all, and release a session's files when it disconnects."""
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    if getattr(MemoryUploadedFileManager, "_clustermap_hardened", False):
        return
    add_file = MemoryUploadedFileManager.add_file
    disconnect = WebsocketSessionManager.disconnect_session

    def bounded_add_file(self, session_id, file):
        with self._lock:
            held = sum(len(f.data) for f in self.file_storage.get(session_id, {}).values())
            total = self._total_bytes
        if held + len(file.data) > SESSION_UPLOAD_BYTES or total + len(file.data) > TOTAL_UPLOAD_BYTES:
            # The upload route answers this as HTTP 413, as for one file over server.maxUploadSize.
            raise HTTPException(status_code=413, detail="this session or the server holds too many uploaded bytes")
        add_file(self, session_id, file)

    def disconnect_and_release(self, session_id):
        disconnect(self, session_id)
        self._uploaded_file_mgr.remove_session_files(session_id)

    MemoryUploadedFileManager.add_file = bounded_add_file
    WebsocketSessionManager.disconnect_session = disconnect_and_release
    MemoryUploadedFileManager._clustermap_hardened = True


# Streamlit's lazily loaded element bundles that our pages show on first paint (by name, without the hash).
PRELOADED = ("PlotlyChart", "DataFrame", "Selectbox", "ButtonGroup", "DownloadButton", "PageLink")
_STATIC_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')


def preload_links(static_dir: Path, index_html: str, names: tuple[str, ...] = PRELOADED) -> str:
    """``<link rel="modulepreload">`` tags for the bundles ``names`` and every module they import statically,
    leaving out what ``index_html`` already names."""
    js = static_dir / "static" / "js"
    wanted = [f.name for name in names for f in sorted(js.glob(f"{name}.*.js"))]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen or not (js / name).is_file():
            continue
        seen.add(name)
        wanted += _STATIC_IMPORT.findall((js / name).read_text(encoding="utf-8", errors="replace"))
    return "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{name}">\n'
        for name in sorted(seen)
        if f"./static/js/{name}" not in index_html
    )


def preload_chunks() -> None:
    """Serve Streamlit's page with ``preload_links`` added to its head."""
    from starlette.responses import FileResponse, HTMLResponse
    from streamlit import file_util
    from streamlit.web.server.starlette import starlette_static_routes as routes

    make_handler = routes.create_streamlit_static_handler
    if getattr(make_handler, "_clustermap_preload", False):
        return
    static_dir = Path(file_util.get_static_dir())
    index = (static_dir / "index.html").read_text(encoding="utf-8")
    page = index.replace("</head>", preload_links(static_dir, index) + "</head>", 1)

    def handler_with_preloads(directory, base_url):
        handler = make_handler(directory, base_url)
        get_response = handler.get_response

        async def with_preloads(path, scope):
            response = await get_response(path, scope)
            if isinstance(response, FileResponse) and Path(response.path).name == "index.html":
                return HTMLResponse(page, headers={"Cache-Control": response.headers.get("Cache-Control", "no-cache")})
            return response

        handler.get_response = with_preloads
        return handler

    handler_with_preloads._clustermap_preload = True
    routes.create_streamlit_static_handler = handler_with_preloads


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    harden()
    preload_chunks()
    sys.argv = ["streamlit", "run", str(PROJECT_ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
