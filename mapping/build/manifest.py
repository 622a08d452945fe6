"""The sources manifest (data/sources.toml): what the build reads and where it comes from."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapping.config import MANIFEST_PATH, PROJECT_ROOT

from .errors import BuildError

REQUIRED_KEYS = ("id", "title", "publisher", "licence", "attribution", "url", "format", "reader", "files")


@dataclass(frozen=True)
class FetchItem:
    url: str
    file: str


@dataclass(frozen=True)
class Source:
    """One manifest entry."""

    id: str
    title: str
    publisher: str
    licence: str
    attribution: str
    url: str
    format: str
    reader: str
    files: tuple[str, ...]
    nuts_version: str = ""
    vintage: str = ""
    location: str = "sources"  # "sources" = the sources folder, "project" = this repository
    fetch: tuple[FetchItem, ...] = ()
    fetch_note: str = ""
    notes: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def paths(self, sources: Path) -> list[Path]:
        """Absolute paths of this source's files."""
        base = PROJECT_ROOT if self.location == "project" else sources
        return [base / f for f in self.files]


@dataclass(frozen=True)
class Manifest:
    sources: tuple[Source, ...]
    defaults: dict[str, str]

    def get(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Parse and check the manifest; a malformed entry raises BuildError naming the entry."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"manifest is not valid TOML: {exc}", file=path) from exc
    defaults = {k: str(v) for k, v in raw.get("defaults", {}).items()}
    known = set(Source.__dataclass_fields__) - {"options", "fetch", "files"}
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(raw.get("source", []), start=1):
        missing = [k for k in REQUIRED_KEYS if not entry.get(k)]
        if missing:
            raise BuildError(f"source #{i} lacks {', '.join(missing)}", file=path)
        if entry["id"] in seen:
            raise BuildError(f"duplicate source id {entry['id']!r}", file=path)
        seen.add(entry["id"])
        fetch = tuple(
            FetchItem(url=item["url"].format(**defaults), file=item["file"]) for item in entry.get("fetch", [])
        )
        out.append(
            Source(
                files=tuple(entry["files"]),
                fetch=fetch,
                options={k: v for k, v in entry.items() if k not in known and k not in ("fetch", "files")},
                **{k: v for k, v in entry.items() if k in known},
            )
        )
    return Manifest(sources=tuple(out), defaults=defaults)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
