"""Settings from the environment and the command line, with defaults.

Resolution order for the sources folder: explicit argument, ``$CLUSTERMAP_SOURCES``,
``../shared/data`` beside the checkout when it exists, else ``data/sources/`` (filled by
``python -m mapping fetch``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
MANIFEST_PATH = DATA_DIR / "sources.toml"
DEFAULT_DB_PATH = DATA_DIR / "clustermap.duckdb"
SHARED_SOURCES = PROJECT_ROOT.parent / "shared" / "data"
LOCAL_SOURCES = DATA_DIR / "sources"
SQL_DIR = Path(__file__).resolve().parent / "sql"

# The query gate's guards: enough rows for every page, small enough to keep a rerun cheap.
ROW_CAP = 250_000
QUERY_TIMEOUT_S = 10.0

# The SQL console's limits (per query): interrupted after CONSOLE_TIMEOUT_S, at most CONSOLE_ROW_CAP rows
# and CONSOLE_BYTE_CAP bytes returned, CONSOLE_MEMORY_MB of DuckDB memory in its worker process.
CONSOLE_TIMEOUT_S = 5.0
CONSOLE_ROW_CAP = 10_000
CONSOLE_BYTE_CAP = 64 * 2**20
CONSOLE_MEMORY_MB = 1024

# Aggregates that are not regions; kept as benchmarks, never drawn.
AGGREGATE_CODES = {
    "EU": "EU27_2020",
    "EU Average": "EU27_2020",
    "EU27_2020": "EU27_2020",
    "EU27": "EU27_2007",
    "EU28": "EU28",
    "EU15": "EU15",
    "EA17": "EA17",
    "EA18": "EA18",
    "EA19": "EA19",
}


def sources_dir(explicit: str | Path | None = None) -> Path:
    """Return the sources folder to read, following the documented resolution order."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("CLUSTERMAP_SOURCES")
    if env:
        return Path(env).expanduser().resolve()
    if SHARED_SOURCES.is_dir():
        return SHARED_SOURCES.resolve()
    return LOCAL_SOURCES


def sources_origin(explicit: str | Path | None = None) -> str:
    """How the sources folder was chosen: 'argument', 'environment', 'shared' (../shared/data) or 'fetched'."""
    if explicit:
        return "argument"
    if os.environ.get("CLUSTERMAP_SOURCES"):
        return "environment"
    if SHARED_SOURCES.is_dir():
        return "shared"
    return "fetched"


def db_path(explicit: str | Path | None = None) -> Path:
    """Return the DuckDB file path: explicit argument, ``$CLUSTERMAP_DB``, else data/clustermap.duckdb."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("CLUSTERMAP_DB")
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_DB_PATH


def spatial_extension_path() -> Path:
    """Locate the DuckDB spatial extension shipped by the ``duckdb-extension-spatial`` wheel.

    ``INSTALL spatial`` needs the internet; the wheel carries the binary, so we LOAD it by path.
    """
    import duckdb
    import duckdb_extension_spatial

    base = Path(duckdb_extension_spatial.__file__).resolve().parent / "extensions"
    wanted = base / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if wanted.exists():
        return wanted
    found = sorted(base.glob("*/spatial.duckdb_extension"))
    if not found:
        raise FileNotFoundError(f"DuckDB spatial extension not found under {base}")
    return found[-1]
