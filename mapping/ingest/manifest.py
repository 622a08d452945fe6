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
EUROSTAT_TSV = "{eurostat_api}/sdmx/2.1/data/{dataset}?format=TSV&compressed=true"


@dataclass(frozen=True)
class FetchItem:
    """One download: a plain URL, or a whole Eurostat table (``dataset``) fetched as gzipped TSV."""

    url: str
    file: str
    dataset: str = ""  # Eurostat dataset code: the download may be split by period and answered asynchronously
    since: int | None = None  # first year worth asking for when a table must be split by period

    @property
    def is_eurostat(self) -> bool:
        return bool(self.dataset)


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
    alternatives: tuple[tuple[str, ...], ...] = ()
    required: bool = False
    superseded_by: str = ""
    fetch: tuple[FetchItem, ...] = ()
    fetch_note: str = ""
    notes: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def base(self, sources: Path) -> Path:
        return PROJECT_ROOT if self.location == "project" else Path(sources)

    def paths(self, sources: Path) -> list[Path]:
        """Absolute paths of this source's primary files (what fetch writes)."""
        return [self.base(sources) / f for f in self.files]

    def file_sets(self) -> list[tuple[str, ...]]:
        return [self.files, *self.alternatives]

    def resolve(self, sources: Path) -> list[Path] | None:
        """The first complete file set in ``sources`` (primary files, then each alternative), or None."""
        for names in self.file_sets():
            paths = [self.base(sources) / n for n in names]
            if all(p.is_file() for p in paths):
                return paths
        return None

    def how_to_get(self) -> str:
        """One line a person can act on: the command or the file that brings this source."""
        if self.location == "project":
            return f"it is part of this repository ({', '.join(self.files)}); restore it with git"
        if self.fetch:
            return f"run `make fetch` (python -m mapping fetch --only {self.id}), or place {', '.join(self.files)}"
        return self.fetch_note or f"place {', '.join(self.files)} in the sources folder"


@dataclass(frozen=True)
class Manifest:
    sources: tuple[Source, ...]
    defaults: dict[str, str]
    digest: str = ""

    def get(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


def _fetch_items(entry: dict, defaults: dict[str, str], path: Path) -> tuple[FetchItem, ...]:
    items = []
    for item in entry.get("fetch", []):
        if "file" not in item or ("url" in item) == ("eurostat" in item):
            raise BuildError(f"source {entry['id']}: a fetch item needs a file and either url or eurostat", file=path)
        if "eurostat" in item:
            dataset = str(item["eurostat"])
            url = EUROSTAT_TSV.format(dataset=dataset, **defaults)
            items.append(FetchItem(url=url, file=item["file"], dataset=dataset, since=item.get("since")))
        else:
            items.append(FetchItem(url=item["url"].format(**defaults), file=item["file"]))
    return tuple(items)


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Parse and check the manifest; a malformed entry raises BuildError naming the entry."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"manifest is not valid TOML: {exc}", file=path) from exc
    defaults = {k: str(v) for k, v in raw.get("defaults", {}).items()}
    known = set(Source.__dataclass_fields__) - {"options", "fetch", "files", "alternatives"}
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(raw.get("source", []), start=1):
        missing = [k for k in REQUIRED_KEYS if not entry.get(k)]
        if missing:
            raise BuildError(f"source #{i} lacks {', '.join(missing)}", file=path)
        if entry["id"] in seen:
            raise BuildError(f"duplicate source id {entry['id']!r}", file=path)
        seen.add(entry["id"])
        out.append(
            Source(
                files=tuple(entry["files"]),
                alternatives=tuple(tuple(a) for a in entry.get("alternatives", [])),
                fetch=_fetch_items(entry, defaults, path),
                options={
                    k: v for k, v in entry.items() if k not in known and k not in ("fetch", "files", "alternatives")
                },
                **{k: v for k, v in entry.items() if k in known},
            )
        )
    ids = {s.id for s in out}
    for s in out:
        if s.superseded_by and s.superseded_by not in ids:
            raise BuildError(f"source {s.id}: superseded_by names no source ({s.superseded_by!r})", file=path)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Manifest(sources=tuple(out), defaults=defaults, digest=digest)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
