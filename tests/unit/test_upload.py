"""'Map your own data' (mapping.upload): every file- and row-level problem is reported, nothing crashes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mapping import upload

ERROR_COLUMNS = ["line", "column", "value", "reason"]


def read(text: str, encoding: str = "utf-8") -> upload.Upload:
    return upload.read_upload(text.encode(encoding))


def errors_of(result: upload.Upload) -> list[tuple]:
    assert list(result.errors.columns) == ERROR_COLUMNS
    return [tuple(r) for r in result.errors.itertuples(index=False)]


# --- valid files ----------------------------------------------------------------------------------


def test_comma_separated_regions():
    result = read("code,value\nDE21,12.5\nFR10,9.1\n")
    assert result.kind == "regions"
    assert result.value_column == "value"
    assert result.message == ""
    assert result.frame["code"].tolist() == ["DE21", "FR10"]
    assert result.frame["value"].tolist() == [12.5, 9.1]
    assert result.frame["line"].tolist() == [2, 3]
    assert errors_of(result) == []


def test_semicolon_separated_with_decimal_comma():
    result = read("code;value\nDE21;12,5\nFR10;-3,25\nPL91;7\n")
    assert result.kind == "regions"
    assert result.frame["value"].tolist() == [12.5, -3.25, 7.0]
    assert errors_of(result) == []


def test_tab_separated_with_decimal_comma_and_label():
    result = read("Code\tValue\tName\nDE21\t12,5\tOberbayern\nAT13\t1.5\tWien\n")
    assert result.kind == "regions"
    assert result.frame["code"].tolist() == ["DE21", "AT13"]
    assert result.frame["value"].tolist() == [12.5, 1.5]
    assert result.frame["label"].tolist() == ["Oberbayern", "Wien"]


def test_pipe_separated():
    result = read("code|value\nDE21|4\n")
    assert result.frame["value"].tolist() == [4.0]


def test_comma_file_does_not_read_a_decimal_comma():
    result = read('code,value\nDE21,"12,5"\n')
    assert result.kind is None
    assert errors_of(result) == [(2, "value", "12,5", "not a number")]


def test_header_names_are_case_and_space_insensitive_and_aliases_work():
    result = read(" NUTS_ID , Score \nde21, 3 \n")
    assert result.kind == "regions"
    assert result.value_column == "score"
    assert result.frame["code"].tolist() == ["DE21"]
    assert result.frame["value"].tolist() == [3.0]


def test_value_column_falls_back_to_the_first_other_column():
    result = read("code,label,gdp\nDE21,Oberbayern,50\n")
    assert result.value_column == "gdp"
    assert result.frame["value"].tolist() == [50.0]
    assert result.frame["label"].tolist() == ["Oberbayern"]


def test_lowercase_codes_are_upper_cased():
    result = read("code,value\nde21,1\nfr10,2\n")
    assert result.frame["code"].tolist() == ["DE21", "FR10"]


def test_templates_read_cleanly():
    regions = read(upload.TEMPLATE_REGIONS)
    assert regions.kind == "regions"
    assert regions.frame["code"].tolist() == ["DE21", "FR10", "PL91"]
    assert errors_of(regions) == []
    points = read(upload.TEMPLATE_POINTS)
    assert points.kind == "points"
    assert points.frame["lat"].tolist() == [48.137, 52.229]
    assert errors_of(points) == []


def test_empty_and_nan_values_are_kept_as_missing():
    result = read("code,value\nDE21,\nDE22,nan\nDE23,1\n")
    assert result.frame["code"].tolist() == ["DE21", "DE22", "DE23"]
    assert math.isnan(result.frame["value"].iloc[0])
    assert math.isnan(result.frame["value"].iloc[1])
    assert errors_of(result) == []


def test_blank_lines_are_skipped_but_counted():
    result = read("code,value\n\nDE21,1\n,\nDE22,x\n")
    assert result.frame["line"].tolist() == [3]
    assert errors_of(result) == [(5, "value", "x", "not a number")]


# --- encodings ------------------------------------------------------------------------------------


def test_utf8_bom_is_removed():
    result = upload.read_upload("code,value\nDE21,1\n".encode("utf-8-sig"))
    assert result.kind == "regions"
    assert result.message == ""
    assert result.frame["code"].tolist() == ["DE21"]


def test_cp1252_is_decoded_with_a_note():
    result = read("code;value;name\nCH04;1,5;Zürich\n", encoding="cp1252")
    assert result.kind == "regions"
    assert "Windows-1252" in result.message
    assert result.frame["label"].tolist() == ["Zürich"]


def test_bytes_invalid_in_cp1252_fall_back_to_latin1():
    result = upload.read_upload(b"code,value,name\nDE21,1,a\x81b\n")
    assert result.kind == "regions"
    assert "Latin-1" in result.message
    assert result.frame["label"].tolist() == ["a\x81b"]


def test_binary_file_is_refused():
    result = upload.read_upload(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert result.kind is None
    assert "binary" in result.message
    assert "Excel" in result.message
    assert result.frame.empty


# --- file-level problems --------------------------------------------------------------------------


def test_empty_file():
    result = upload.read_upload(b"")
    assert result.kind is None
    assert "empty" in result.message
    assert list(result.errors.columns) == ERROR_COLUMNS


def test_header_only():
    result = read("code,value\n")
    assert result.kind is None
    assert "No usable rows" in result.message
    assert errors_of(result) == []


def test_first_line_must_be_a_header():
    result = read("\ncode,value\nDE21,1\n")
    assert result.kind is None
    assert "header" in result.message


def test_a_single_column_is_refused():
    result = read("code\nDE21\n")
    assert result.kind is None
    assert "Only one column" in result.message


def test_no_usable_columns_names_the_header():
    result = read("foo,bar\n1,2\n")
    assert result.kind is None
    assert "No usable columns" in result.message
    assert "'code'" in result.message
    assert "foo, bar" in result.message


def test_regions_need_a_value_column():
    result = read("code,name\nDE21,Oberbayern\n")
    assert result.kind is None
    assert "value column" in result.message


def test_file_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(upload, "MAX_BYTES", 16)
    data = b"code,value\nDE21,1\n"  # 18 bytes
    result = upload.read_upload(data)
    assert result.kind is None
    assert "limit" in result.message
    assert "MB" in result.message
    assert result.frame.empty
    # exactly at the limit is fine
    monkeypatch.setattr(upload, "MAX_BYTES", len(data))
    assert upload.read_upload(data).kind == "regions"


def test_size_message_states_a_limit_below_the_file_size():
    data = b"x" * (upload.MAX_BYTES + 1)  # 21 MB in memory only; refused before decoding
    message = upload.read_upload(data).message
    assert f"{upload.MAX_BYTES + 1:,} bytes" in message and "more than the 20 MB limit" in message


def test_row_limit(monkeypatch):
    monkeypatch.setattr(upload, "MAX_ROWS", 3)
    result = read("code,value\nDE21,1\nDE22,2\nDE23,3\nDE24,4\nDE25,5\n")
    assert result.kind == "regions"
    assert result.frame["code"].tolist() == ["DE21", "DE22", "DE23"]
    [(line, column, value, reason)] = errors_of(result)
    assert (line, column, value) == (5, "", "")
    assert "more than 3 rows" in reason
    assert "the rest was not read" in reason


def test_row_limit_not_reached(monkeypatch):
    monkeypatch.setattr(upload, "MAX_ROWS", 3)
    result = read("code,value\nDE21,1\nDE22,2\nDE23,3\n")
    assert len(result.frame) == 3
    assert errors_of(result) == []


def test_row_limit_ignores_trailing_blank_lines(monkeypatch):
    monkeypatch.setattr(upload, "MAX_ROWS", 3)
    result = read("code,value\nDE21,1\nDE22,2\nDE23,3\n\n\n")
    assert len(result.frame) == 3
    assert errors_of(result) == []


# --- row-level problems ---------------------------------------------------------------------------


def test_duplicate_codes_keep_the_first():
    result = read("code,value\nDE21,1\nDE22,2\nde21,3\n")
    assert result.frame["code"].tolist() == ["DE21", "DE22"]
    assert result.frame["value"].tolist() == [1.0, 2.0]
    [(line, column, value, reason)] = errors_of(result)
    assert (line, column, value) == (4, "code", "DE21")
    assert "duplicate of line 2" in reason


@pytest.mark.parametrize("code", ["=cmd()", "12345", "D", "DE2100", "DE-21", "@SUM(A1)", "+DE21"])
def test_invalid_codes(code):
    result = read(f"code,value\nDE21,1\n{code},2\n")
    assert result.frame["code"].tolist() == ["DE21"]
    [(line, column, value, reason)] = errors_of(result)
    assert (line, column, value) == (3, "code", code)
    assert "not a NUTS code" in reason


def test_empty_code_is_an_error():
    result = read("code,value\n,5\n")
    assert result.kind is None
    assert errors_of(result)[0][3].startswith("not a NUTS code")


def test_non_numeric_value():
    result = read("code,value\nDE21,abc\nDE22,1\n")
    assert result.frame["code"].tolist() == ["DE22"]
    assert errors_of(result) == [(2, "value", "abc", "not a number")]


@pytest.mark.parametrize("raw", ["1e300", "inf", "-inf", "Infinity", "1e400", "-2e15"])
def test_values_out_of_range(raw):
    result = read(f"code,value\nDE21,{raw}\n")
    assert result.kind is None
    assert errors_of(result) == [(2, "value", raw, "number out of range")]


def test_largest_accepted_value():
    result = read("code,value\nDE21,1e15\nDE22,-1e15\n")
    assert result.frame["value"].tolist() == [1e15, -1e15]


def test_wrong_field_count():
    result = read("code,value\nDE21,1,extra\nDE22\nDE23,3\n")
    assert result.frame["code"].tolist() == ["DE23"]
    errs = errors_of(result)
    assert [(e[0], e[1]) for e in errs] == [(2, ""), (3, "")]
    assert errs[0][2] == "DE21,1,extra"
    assert errs[0][3] == "3 fields, header has 2"
    assert errs[1][3] == "1 fields, header has 2"


def test_several_problems_are_all_reported_with_file_line_numbers():
    result = read("code;value\nDE21;1\nXX;abc\n12345;2\nDE21;5\nDE22;1e300\nDE23;4\n")
    assert result.frame["code"].tolist() == ["DE21", "DE23"]
    assert result.frame["line"].tolist() == [2, 7]
    assert [e[0] for e in errors_of(result)] == [3, 4, 5, 6]


def test_errors_frame_is_typed_even_when_empty():
    result = read("code,value\nDE21,1\n")
    assert list(result.errors.columns) == ERROR_COLUMNS
    assert result.errors.empty


def test_line_numbers_after_a_multiline_quoted_field():
    result = read('code,value,label\nDE21,1,"two\nlines"\nDE22,x,y\n')
    assert result.frame["label"].tolist() == ["two\nlines"]
    assert errors_of(result) == [(4, "value", "x", "not a number")]


# --- points ---------------------------------------------------------------------------------------


def test_points_file():
    result = read("lat,lon,value,name\n48.137,11.575,2,Munich office\n52.229,21.012,,Warsaw office\n")
    assert result.kind == "points"
    assert result.value_column == "value"
    assert result.frame["lat"].tolist() == [48.137, 52.229]
    assert result.frame["lon"].tolist() == [11.575, 21.012]
    assert result.frame["label"].tolist() == ["Munich office", "Warsaw office"]
    assert result.frame["value"].iloc[0] == 2.0
    assert math.isnan(result.frame["value"].iloc[1])


def test_points_without_a_value_column():
    result = read("latitude;longitude\n48,1;11,5\n")
    assert result.kind == "points"
    assert result.value_column is None
    assert result.frame["lat"].tolist() == [48.1]
    assert result.frame["lon"].tolist() == [11.5]
    assert "value" not in result.frame


def test_points_win_over_a_code_column():
    result = read("code,lat,lon\nDE21,48,11\n")
    assert result.kind == "points"


def test_points_out_of_range_or_not_numbers():
    result = read("lat,lon\n48,11\n95,11\n48,200\nx,1\n-91,-181\n")
    assert result.frame["line"].tolist() == [2]
    errs = errors_of(result)
    assert [(e[0], e[1], e[2]) for e in errs] == [
        (3, "lat", "95"),
        (4, "lon", "200"),
        (5, "lat", "x"),
        (6, "lat", "-91"),
        (6, "lon", "-181"),
    ]
    assert errs[0][3] == "latitude must be a number in -90..90"
    assert errs[1][3] == "longitude must be a number in -180..180"


def test_points_with_a_bad_value():
    result = read("lat,lon,value\n48,11,abc\n48,11,inf\n")
    assert result.kind is None
    assert [e[3] for e in errors_of(result)] == ["not a number", "number out of range"]


# --- check_codes ----------------------------------------------------------------------------------


@pytest.fixture
def lookup() -> pd.DataFrame:
    # the 2024 row comes first on purpose: the 2021 one must still win
    return pd.DataFrame(
        {
            "code": ["DE21", "DE21", "DE22", "FR10", "FRX1", "PL91"],
            "nuts_version": ["2024", "2021", "2024", "2021", "2021", "2021"],
            "level": [2, 2, 2, 2, 2, 2],
            "name": ["Oberbayern 2024", "Oberbayern", "Niederbayern 2024", "Ile-de-France", "A unit", "Warszawski"],
            "country": ["DE", "DE", "DE", "FR", "FR", "PL"],
            "is_unit": [False, False, False, False, True, False],
        }
    )


def test_check_codes_matches_and_reports_unknown_codes(lookup):
    result = read("code,value\nDE21,1\nZZ99,2\nDE22,3\nFRX1,4\nFR10,5\n")
    matched, errors = upload.check_codes(result, lookup)
    assert matched["code"].tolist() == ["DE21", "DE22", "FR10"]
    assert matched["value"].tolist() == [1.0, 3.0, 5.0]
    assert matched["level"].tolist() == [2, 2, 2]
    assert matched["country"].tolist() == ["DE", "DE", "FR"]
    assert list(errors.columns) == ERROR_COLUMNS
    # FRX1 exists only as a unit (not a region): unknown too
    assert [tuple(r) for r in errors.itertuples(index=False)] == [
        (3, "code", "ZZ99", "unknown NUTS 2021/2024 code"),
        (5, "code", "FRX1", "unknown NUTS 2021/2024 code"),
    ]


def test_check_codes_prefers_2021_then_2024(lookup):
    result = read("code,value\nDE21,1\nDE22,2\n")
    matched, errors = upload.check_codes(result, lookup)
    rows = matched.set_index("code")
    assert rows.loc["DE21", "nuts_version"] == "2021"
    assert rows.loc["DE21", "name"] == "Oberbayern"
    assert rows.loc["DE22", "nuts_version"] == "2024"
    assert rows.loc["DE22", "name"] == "Niederbayern 2024"
    assert errors.empty


def test_check_codes_all_known(lookup):
    matched, errors = upload.check_codes(read("code,value\nPL91,7.4\n"), lookup)
    assert matched["name"].tolist() == ["Warszawski"]
    assert matched["line"].tolist() == [2]
    assert errors.empty
    assert list(errors.columns) == ERROR_COLUMNS
