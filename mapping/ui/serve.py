"""Start the app: ``python -m mapping.ui.serve [streamlit options]`` (what ``make run`` uses).

Streamlit switches to its legacy multipage mode when a ``pages/`` folder sits next to the main
script, until ``st.navigation`` has run once. A first visit straight to ``/map`` after a server
start would then run the page without ``app.py`` (no layout, no navigation). Declaring the app a
``st.navigation`` app before the server starts removes that first-visit glitch.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from mapping.config import PROJECT_ROOT


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(PROJECT_ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
