"""Errors raised by the build; each names the file and, where known, the line."""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    """A source could not be loaded or a validation failed; the previous DB stays in place."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None):
        self.file = str(file) if file is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.file:
            where = self.file + (f":{line}" if line is not None else "")
            where += ": "
        super().__init__(where + message)
