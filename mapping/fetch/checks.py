"""Payload checks by file type, run on the downloaded ``.part`` before it may replace anything.

An error page served with status 200 (HTML, a SOAP fault) is the usual way a download goes wrong
without an error status; each check reads the whole file, so a truncated body is caught too.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from pathlib import Path

_CHUNK = 1 << 16
# Columns a source's CSV must carry beyond ``geo`` (lower case), for extracts read by a dedicated reader.
_EXTRA_COLUMNS = {"eurostat_sbs_r_nuts2021_manuf": {"nace_r2", "time_period", "obs_value"}}


def check_payload(path: Path, file: str, source_id: str = "") -> None:
    """Raise ValueError, with a reason a person can act on, when ``path`` is not what ``file``'s type promises.

    Args:
        path: The downloaded bytes.
        file: The destination name; its ending picks the check (``.geojson``, ``.tsv.gz``, ``.csv``, ``.xlsx``).
        source_id: The source reading the file (some CSV readers need more columns than ``geo``).

    Raises:
        ValueError: Empty, an HTML page or error message, or not the promised format.
    """
    if path.stat().st_size == 0:
        raise ValueError("empty response")
    with path.open("rb") as fh:
        head = fh.read(4096)
    _refuse_error_pages(head)
    name = file.lower()
    if name.endswith(".geojson"):
        _check_geojson(path)
    elif name.endswith(".tsv.gz"):
        _check_eurostat_tsv_gz(path)
    elif name.endswith(".csv"):
        _check_csv(path, _EXTRA_COLUMNS.get(source_id, set()))
    elif name.endswith(".xlsx"):
        _check_xlsx(path)


def _refuse_error_pages(head: bytes) -> None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")) or (start.startswith(b"<") and b"<html" in head.lower()):
        title = re.search(rb"<title[^>]*>(.*?)</title>", head, re.S | re.I)
        said = " ".join(title.group(1).decode("utf-8", "replace").split()) if title else ""
        raise ValueError(
            "the server sent an HTML page instead of the file (an error or sign-in page)"
            + (f": {said[:120]!r}" if said else "")
        )
    fault = re.search(rb"<faultstring>(.*?)</faultstring>", head, re.S)
    if start.startswith(b"<") and fault:
        raise ValueError(f"the server sent an error message instead of the file: {fault.group(1).decode()[:200]}")


def _check_geojson(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            doc = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValueError("JSON is not a GeoJSON FeatureCollection")


def _check_eurostat_tsv_gz(path: Path) -> None:
    try:
        with gzip.open(path, "rb") as fh:
            first = fh.readline(1 << 20).decode("utf-8", "replace")
            while fh.read(_CHUNK):  # read to the end: checks the CRC and length
                pass
    except (OSError, EOFError) as exc:
        raise ValueError(f"not valid gzip ({exc})") from exc
    label = first.split("\t", 1)[0]
    if "\t" not in first or not ("\\TIME_PERIOD" in label or "\\time" in label):
        raise ValueError(f"first line is not a Eurostat TSV header: {first[:80]!r}")


def _check_csv(path: Path, extra: set[str]) -> None:
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as fh:
            header = fh.readline()
            while fh.read(_CHUNK):
                pass
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    delim = max(",;\t", key=header.count)
    cols = {c.strip().strip('"').lower() for c in header.strip().split(delim)}
    missing = sorted(({"geo"} | extra) - cols)
    if missing:
        raise ValueError(f"CSV header lacks column(s) {', '.join(missing)}: {header[:120].strip()!r}")


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise ValueError("a zip file but not an Excel workbook (no xl/workbook.xml)")
            broken = zf.testzip()  # reads every member: checks the CRCs
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"not a valid xlsx (zip) file ({exc})") from exc
    if broken:
        raise ValueError(f"xlsx member {broken} is corrupt")
