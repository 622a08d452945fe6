"""Is the DB already built from exactly these source files and this code? (used by ``make run``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .manifest import Manifest, load_manifest, sha256_file


def is_fresh(db: Path, sources_dir: Path, manifest: Manifest | None = None) -> bool:
    """True when a rebuild would read the same files with the same code.

    Per source: a loaded or failed source still resolves to the same files with the same SHA-256 (a file that
    failed is not retried until it changes); a source recorded as missing is still missing; a superseded one
    is judged through the source that replaced it. The manifest and the ingest code must be unchanged too.
    """
    from .pipeline import code_digest

    if not db.exists():
        return False
    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            files: dict[str, dict[str, str]] = {}
            for sid, name, sha in con.execute("SELECT source_id, file, sha256 FROM source_files").fetchall():
                files.setdefault(sid, {})[name] = sha
            status = dict(con.execute("SELECT source_id, status FROM sources").fetchall())
            info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
        finally:
            con.close()
    except duckdb.Error:
        return False
    manifest = manifest or load_manifest()
    if info.get("sources_dir") != str(sources_dir) or info.get("code_digest") != code_digest(manifest):
        return False
    for source in manifest.sources:
        recorded = status.get(source.id)
        paths = source.resolve(sources_dir)
        if recorded is None:
            return False
        if recorded == "missing":
            if paths is not None:
                return False
            continue
        if recorded == "superseded":
            continue
        if paths is None:
            return False
        base = source.base(sources_dir)
        now = {p.relative_to(base).as_posix(): p for p in paths}
        if set(now) != set(files.get(source.id, {})):
            return False
        if any(sha256_file(p) != files[source.id][name] for name, p in now.items()):
            return False
    return True
