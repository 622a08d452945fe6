"""``python -m mapping.console <db> <memory_mb>``: one worker process of the SQL console."""

from __future__ import annotations

import sys

from .worker import _serve

if __name__ == "__main__":  # pragma: no cover - runs in the worker process
    _serve(sys.argv[1], int(sys.argv[2]))
