"""Is the DB already built from exactly these source files? (used by ``make run``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .manifest import Manifest, load_manifest, sha256_file


def is_fresh(db: Path, sources_dir: Path, manifest: Manifest | None = None) -> bool:
    """True when ``db`` exists and every manifest file's SHA-256 matches what the DB recorded."""
    if not db.exists():
        return False
    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            recorded = {
                (s, f): h for s, f, h in con.execute("SELECT source_id, file, sha256 FROM source_files").fetchall()
            }
            built_from = con.execute("SELECT value FROM build_info WHERE key = 'sources_dir'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return False
    if not built_from or Path(built_from[0]) != sources_dir:
        return False
    manifest = manifest or load_manifest()
    for source in manifest.sources:
        for path in source.paths(sources_dir):
            if not path.is_file() or recorded.get((source.id, path.name)) != sha256_file(path):
                return False
    return True
