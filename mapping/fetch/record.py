"""``<target>/FETCHED.json``: checksum, size, URL and time of every fetched file, merged across runs.

The record is what makes a rerun cheap: a file whose SHA-256 still equals its entry is not downloaded again.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mapping.ingest.manifest import sha256_file

from .report import FetchedFile

RECORD_NAME = "FETCHED.json"

Record = dict[str, dict[str, Any]]


def load_record(target: Path, say: Callable[[str], None]) -> Record:
    """The record in ``target`` keyed by file (relative path); empty when absent or unreadable (with a warning)."""
    path = target / RECORD_NAME
    if not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        say(f"warning: {path} is not valid JSON ({exc}); starting a new record")
        return {}
    return {k: v for k, v in loaded.items() if isinstance(v, dict)} if isinstance(loaded, dict) else {}


def is_current(path: Path, entry: dict[str, Any] | None) -> bool:
    """Whether ``path`` exists and its SHA-256 equals the recorded one."""
    return bool(entry) and path.is_file() and entry.get("sha256") == sha256_file(path)


def entry_of(fetched: FetchedFile) -> dict[str, Any]:
    """The JSON entry of one fetched file (no ``eurostat`` key for plain downloads)."""
    entry = asdict(fetched)
    entry["source_ids"] = list(fetched.source_ids or (fetched.source_id,))
    if fetched.eurostat is None:
        del entry["eurostat"]
    else:
        entry["eurostat"] = {k: list(v) if isinstance(v, tuple) else v for k, v in entry["eurostat"].items()}
    return entry


def save_record(target: Path, updates: Record) -> None:
    """Merge ``updates`` into the record on disk and write it atomically (temp file + rename)."""
    record = load_record(target, lambda _msg: None)
    record.update(updates)
    fd, tmp_name = tempfile.mkstemp(dir=target, prefix=f".{RECORD_NAME}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(dict(sorted(record.items())), fh, indent=2)
            fh.write("\n")
        tmp.replace(target / RECORD_NAME)
    finally:
        tmp.unlink(missing_ok=True)
