"""Sources folder -> DuckDB: readers, validation, atomic swap, provenance."""

from __future__ import annotations

from .errors import BuildError
from .manifest import Manifest, Source, load_manifest
from .pipeline import BuildSummary, build

__all__ = ["BuildError", "BuildSummary", "Manifest", "Source", "build", "load_manifest"]
