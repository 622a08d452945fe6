"""Download the official source files listed in data/sources.toml into a sources folder.

Every distinct ``fetch`` file of the selected sources is downloaded once (resumable, retried with
back-off), checked by type (GeoJSON FeatureCollection, Eurostat gzip TSV, UTF-8 CSV with ``geo``, xlsx
workbook; an HTML error page is refused) and only then moved into place atomically: a failed or refused
download never leaves a half-written file nor replaces a good one. Whole Eurostat tables survive the API's
asynchronous answers and HTTP 413 (split by period, merged back into one table). SHA-256, size, URL and
time of each file go to ``<target>/FETCHED.json``; a rerun skips files that still match it. Sources without
official machine-readable files (``fetch_note``) are listed to place by hand.

Modules: ``run`` (the fetch run), ``http`` (one GET with retries and resume), ``eurostat`` (asynchronous
answers, 413 splits), ``tsv`` (merging period parts), ``checks`` (payload checks), ``record``
(FETCHED.json), ``progress`` (progress lines), ``settings`` and ``report`` (settings and outcome types).

Environment: ``CLUSTERMAP_FETCH_BASE`` (e.g. ``http://127.0.0.1:8000``), when set, replaces the
scheme and host of every URL, keeping path and query (a path in the base is prepended); for
mirrors and tests.
"""

from __future__ import annotations

from .checks import check_payload
from .http import BASE_ENV, rebase_url
from .record import RECORD_NAME
from .report import EurostatOrigin, FetchedFile, FetchError, FetchReport
from .run import fetch
from .settings import FetchSettings

__all__ = [
    "BASE_ENV",
    "RECORD_NAME",
    "EurostatOrigin",
    "FetchError",
    "FetchReport",
    "FetchSettings",
    "FetchedFile",
    "check_payload",
    "fetch",
    "rebase_url",
]
