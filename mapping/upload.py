"""'Map your own data': read an uploaded CSV of region codes and values, or of points (lat/lon).

Every problem is reported: file-level problems as one clear message, row-level problems as a
table (line, column, value, reason). Nothing is written anywhere; the caller keeps the result in
the session only.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from mapping.export import FORMULA_PREFIXES

MAX_BYTES = 20_000_000  # 20 MB, as the upload widget and server.maxUploadSize say
MAX_ROWS = 100_000  # rows read at most, good or bad: the rest of a longer file is not read
MAX_COLUMNS = 50  # columns in a header at most
MAX_ERRORS = 1_000  # row problems listed (with their line); the others are counted
MAX_ABS_VALUE = 1e15
MAX_LABEL = 200
CODE_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
CODE_COLUMNS = ("nuts_id", "nuts_code", "nuts", "region_code", "region", "code", "geo")
VALUE_COLUMNS = ("value", "values", "val", "score", "count", "amount")
LAT_COLUMNS = ("lat", "latitude", "y")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x")
LABEL_COLUMNS = ("name", "label", "title", "organisation", "organization")


@dataclass
class Upload:
    """The outcome of reading an upload."""

    kind: str | None = None  # "regions" | "points" | None when the file could not be used
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "column", "value", "reason"]))
    message: str = ""  # file-level problem, or a note (e.g. the encoding used)
    value_column: str | None = None
    n_errors: int = 0  # row problems in all (``errors`` lists the first MAX_ERRORS)


def _error_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["line", "column", "value", "reason"])


class ErrorLog:
    """Row problems of an upload: the first ``limit`` kept with line, column, value and reason; all counted.

    A file of nothing but bad rows costs a bounded list, whatever its length.
    """

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.rows: list[tuple] = []
        self.count = 0
        self.limit = limit

    def add(self, line: int, column: str, value: str, reason: str) -> None:
        self.count += 1
        if len(self.rows) < self.limit:
            self.rows.append((line, column, value, reason))

    def frame(self) -> pd.DataFrame:
        return _error_frame(self.rows)

    def summary(self) -> str:
        if self.count <= self.limit:
            return ""
        return f"{self.count:,} rows have problems; the first {self.limit:,} are listed."


def header_width(first_line: str, delimiter: str) -> str:
    """A message when a header has more than MAX_COLUMNS columns (counted without splitting it), else ''."""
    n = first_line.count(delimiter) + 1
    if n <= MAX_COLUMNS:
        return ""
    return (
        f"The header has {n:,} columns; at most {MAX_COLUMNS} are read. Keep the code (or lat and lon), value and "
        "label columns."
    )


def _decode(data: bytes) -> tuple[str | None, str]:
    if b"\x00" in data[:4096]:
        return None, "This looks like a binary file (an Excel workbook?). Save it as CSV (UTF-8) and upload again."
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, even when the rest is not UTF-8
    for enc, note in (("utf-8", ""), ("cp1252", "The file is not UTF-8; it was read as Windows-1252.")):
        try:
            return data.decode(enc), note
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "The file is not UTF-8; it was read as Latin-1."


def _number(text: str, decimal_comma: bool) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma and "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v


def read_upload(data: bytes) -> Upload:
    """Parse an uploaded CSV (comma, semicolon, tab or pipe separated) into region values or points."""
    if len(data) == 0:
        return Upload(message="The file is empty.")
    if len(data) > MAX_BYTES:
        return Upload(message=f"The file has {len(data):,} bytes, more than the {MAX_BYTES / 1e6:g} MB limit.")
    text, note = _decode(data)
    if text is None:
        return Upload(message=note)
    result = _parse(text, note)
    if note and note not in result.message:
        result.message = f"{result.message} {note}".strip()
    return result


def _parse(text: str, note: str) -> Upload:
    first = text.split("\n", 1)[0].rstrip("\r")  # the header line only: never a list of every line
    if not first.strip():
        return Upload(message="The first line must be a header naming the columns.")
    delimiter = max(",;\t|", key=first.count)
    if first.count(delimiter) == 0:
        return Upload(message="Only one column found: expected a code column and a value column, or lat and lon.")
    if wide := header_width(first, delimiter):
        return Upload(message=wide)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        return Upload(message=f"The header cannot be read: {exc}")
    code_col = next((c for c in CODE_COLUMNS if c in header), None)
    lat_col = next((c for c in LAT_COLUMNS if c in header), None)
    lon_col = next((c for c in LON_COLUMNS if c in header), None)
    label_col = next((c for c in LABEL_COLUMNS if c in header), None)
    if lat_col and lon_col:
        kind = "points"
    elif code_col:
        kind = "regions"
    else:
        return Upload(
            message="No usable columns. Name one column 'code' (NUTS codes such as DE21) plus a 'value' column, "
            f"or give 'lat' and 'lon' columns for points. The header was: {', '.join(header)[:200]}"
        )
    others = [c for c in header if c not in {code_col, lat_col, lon_col, label_col}]
    # Region values need a value column (any other column will do); for points it is optional.
    fallback = others[0] if others and kind == "regions" else None
    value_col = next((c for c in VALUE_COLUMNS if c in header), fallback)
    if kind == "regions" and not value_col:
        return Upload(message="Region codes need a value column (e.g. 'value').")
    decimal_comma = delimiter != ","
    idx: dict[str, int] = {}
    for i, c in enumerate(header):  # the first column of a name, as before, in one pass
        idx.setdefault(c, i)
    rows, seen, read = [], {}, 0
    errors = ErrorLog()
    try:
        previous = reader.line_num
        for row in reader:
            # A quoted field may span lines: number records by the file line they start on.
            lineno, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            read += 1
            if read > MAX_ROWS:
                errors.add(lineno, "", "", f"more than {MAX_ROWS:,} rows; the rest was not read")
                break
            if len(row) != len(header):
                errors.add(lineno, "", delimiter.join(row)[:60], f"{len(row)} fields, header has {len(header)}")
                continue
            record = {"line": lineno}
            ok = True
            if value_col:
                raw = row[idx[value_col]]
                v = _number(raw, decimal_comma) if raw.strip() else math.nan
                if v is None:
                    errors.add(lineno, value_col, raw[:60], "not a number")
                    ok = False
                elif not math.isnan(v) and (math.isinf(v) or abs(v) > MAX_ABS_VALUE):
                    errors.add(lineno, value_col, raw[:60], "number out of range")
                    ok = False
                else:
                    record["value"] = v
            if label_col:
                label = row[idx[label_col]].strip()
                if label.startswith(FORMULA_PREFIXES):
                    errors.add(lineno, label_col, label[:60], "looks like a spreadsheet formula")
                    ok = False
                elif len(label) > MAX_LABEL:
                    errors.add(lineno, label_col, label[:60], f"longer than {MAX_LABEL} characters")
                    ok = False
                else:
                    record["label"] = label
            if kind == "regions":
                code = row[idx[code_col]].strip().upper()
                if not CODE_RE.match(code):
                    errors.add(lineno, code_col, row[idx[code_col]][:60], "not a NUTS code (e.g. DE21)")
                    ok = False
                elif code in seen:
                    errors.add(lineno, code_col, code, f"duplicate of line {seen[code]}; first kept")
                    ok = False
                else:
                    record["code"] = code
            else:
                lat = _number(row[idx[lat_col]], decimal_comma)
                lon = _number(row[idx[lon_col]], decimal_comma)
                if lat is None or not -90 <= lat <= 90:
                    errors.add(lineno, lat_col, row[idx[lat_col]][:60], "latitude must be a number in -90..90")
                    ok = False
                if lon is None or not -180 <= lon <= 180:
                    errors.add(lineno, lon_col, row[idx[lon_col]][:60], "longitude must be a number in -180..180")
                    ok = False
                if ok:
                    record.update(lat=lat, lon=lon)
            if ok:
                if kind == "regions":
                    seen[record["code"]] = lineno
                rows.append(record)
    except csv.Error as exc:
        errors.add(reader.line_num, "", "", f"cannot parse: {exc}")
    frame = pd.DataFrame(rows)
    summary = errors.summary()
    if frame.empty:
        message = " ".join(t for t in ("No usable rows.", summary, note) if t)
        return Upload(kind=None, errors=errors.frame(), message=message, n_errors=errors.count)
    message = " ".join(t for t in (summary, note) if t)
    return Upload(
        kind=kind, frame=frame, errors=errors.frame(), message=message, value_column=value_col, n_errors=errors.count
    )


def check_codes(upload: Upload, lookup: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match region codes to NUTS 2021 (else 2024) regions; unknown codes become row errors.

    Returns (matched rows with code, nuts_version, level, name; extra errors).
    """
    known = lookup[~lookup["is_unit"]].sort_values("nuts_version").drop_duplicates("code")
    merged = upload.frame.merge(known[["code", "nuts_version", "level", "name", "country"]], on="code", how="left")
    bad = merged[merged["nuts_version"].isna()]
    errors = _error_frame([(int(r.line), "code", r.code, "unknown NUTS 2021/2024 code") for r in bad.itertuples()])
    return merged[merged["nuts_version"].notna()].copy(), errors


TEMPLATE_REGIONS = "code,value,label\nDE21,12.5,Oberbayern\nFR10,9.1,Ile-de-France\nPL91,7.4,Warszawski stoleczny\n"
TEMPLATE_POINTS = "lat,lon,value,name\n48.137,11.575,1,Munich office\n52.229,21.012,1,Warsaw office\n"
