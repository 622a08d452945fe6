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
"""

from __future__ import annotations

import sys

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


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    harden()
    sys.argv = ["streamlit", "run", str(PROJECT_ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
