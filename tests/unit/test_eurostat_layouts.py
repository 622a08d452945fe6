"""Eurostat files in every published layout give the same rows: dimensions are found by name, never by position.

The fixtures are tiny and written here in the exact layouts: the bulk TSV of the old download service, the
dissemination API's TSV (freq first, years ascending, trailing spaces), SDMX-CSV 1.0 (DATAFLOW, LAST UPDATE,
CONF_STATUS), SDMX-CSV 2.0 with label columns, and a plain export.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from mapping.ingest import eurostat
from mapping.ingest.errors import BuildError

# The same LFS cells (thousand persons, 15+, NACE A and F, AT and AT1) in each layout Eurostat has used.
BULK_TSV = (
    "unit,nace_r2,age,geo\\time\t2015 \t2014 \n"
    "THS,A,Y_GE15,AT\t209.8 b\t180.1 \n"
    "THS,A,Y_GE15,AT1\t: c\t61.0 u\n"
    "THS,F,Y_GE15,AT\t290.0 \t: \n"
    "THS,A,Y15-24,AT\t14.3 \t16.8 \n"
)
API_TSV = (  # another dimension order, a sex dimension, unit THS_PER, years ascending
    "freq,unit,sex,age,nace_r2,geo\\TIME_PERIOD\t2014 \t2015 \n"
    "A,THS_PER,F,Y_GE15,A,AT\t80.0 \t90.0 \n"
    "A,THS_PER,T,Y15-24,A,AT\t16.8 \t14.3 \n"
    "A,THS_PER,T,Y_GE15,A,AT\t180.1 \t209.8 b\n"
    "A,THS_PER,T,Y_GE15,A,AT1\t61.0 u\t: C\n"
    "A,THS_PER,T,Y_GE15,F,AT\t: \t290.0 \n"
)
SDMX_CSV_1 = (
    "DATAFLOW,LAST UPDATE,freq,nace_r2,geo,unit,sex,age,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,A,AT,THS_PER,T,Y_GE15,2015,209.8,b,\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,A,AT,THS_PER,T,Y_GE15,2014,180.1,,\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,A,AT1,THS_PER,T,Y_GE15,2015,,,C\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,A,AT1,THS_PER,T,Y_GE15,2014,61.0,u,\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,F,AT,THS_PER,T,Y_GE15,2015,290.0,,\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,F,AT,THS_PER,T,Y_GE15,2014,,,\n"
    "ESTAT:LFST_R_LFE2EN2(1.0),22/05/26 11:00:00,A,A,AT,THS_PER,T,Y15-24,2015,14.3,,\n"
)
SDMX_CSV_2 = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,unit,Unit of measure,sex,Sex,age,Age class,"
    "nace_r2,Statistical classification of economic activities,geo,Geopolitical entity (reporting),TIME_PERIOD,"
    "Time,OBS_VALUE,Observation value,OBS_FLAG,Observation status (Flag) V2 structure,CONF_STATUS,"
    "Confidentiality status (flag)\n"
    + "".join(
        f"dataflow,ESTAT:LFST_R_LFE2EN2(1.0),Employment,A,Annual,THS_PER,Thousand persons,T,Total,{age},Age,{nace},"
        f"Nace,{geo},Name,{year},,{value},,{flag},Flag,{conf},Conf\n"
        for age, nace, geo, year, value, flag, conf in [
            ("Y_GE15", "A", "AT", 2015, "209.8", "b", ""),
            ("Y_GE15", "A", "AT", 2014, "180.1", "", ""),
            ("Y_GE15", "A", "AT1", 2015, "", "", "C"),
            ("Y_GE15", "A", "AT1", 2014, "61.0", "u", ""),
            ("Y_GE15", "F", "AT", 2015, "290.0", "", ""),
            ("Y15-24", "A", "AT", 2015, "14.3", "", ""),
        ]
    )
)
# The rows every layout must give for LFS employment, 15 years or over, sex total (where a sex dimension exists).
EXPECTED = [
    ("AT", "A", 2014, 180.1, None),
    ("AT", "A", 2015, 209.8, "b"),
    ("AT", "F", 2015, 290.0, None),
    ("AT1", "A", 2014, 61.0, "u"),
    ("AT1", "A", 2015, None, "c"),
]
SELECT = {"age": "Y_GE15", "unit": ["THS", "THS_PER"], "sex": "T"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _rows(path: Path, **kw) -> list[tuple]:
    con = duckdb.connect()
    eurostat.stage(con, path, "stg", **kw)
    return con.execute("SELECT code, nace_r2, year, value, flag FROM stg ORDER BY 1, 2, 3").fetchall()


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("bulk.tsv.gz", BULK_TSV, "tsv"),
        ("api.tsv.gz", API_TSV, "tsv"),
        ("api.tsv", API_TSV, "tsv"),
        ("sdmx1.csv", SDMX_CSV_1, "csv"),
        ("sdmx2.csv", SDMX_CSV_2, "csv"),
    ],
)
def test_every_layout_gives_the_same_rows(tmp_path, name, text, kind):
    path = _write(tmp_path, name, text)
    assert eurostat.detect(path).kind == kind
    assert _rows(path, keep=["nace_r2"], select=SELECT) == EXPECTED


def test_dimensions_are_named_in_file_order(tmp_path):
    assert eurostat.detect(_write(tmp_path, "a.tsv", API_TSV)).dims == ("freq", "unit", "sex", "age", "nace_r2", "geo")
    assert eurostat.detect(_write(tmp_path, "b.tsv", BULK_TSV)).dims == ("unit", "nace_r2", "age", "geo")
    assert eurostat.detect(_write(tmp_path, "c.csv", SDMX_CSV_2)).dims == (
        "freq",
        "unit",
        "sex",
        "age",
        "nace_r2",
        "geo",
    )


def test_plain_export_with_lower_case_time_and_value(tmp_path):
    path = _write(tmp_path, "p.csv", "freq,unit,geo,time,obs_value\nA,PPS_EU27_2020_HAB,AT11,2023,31200\n")
    con = duckdb.connect()
    eurostat.stage(con, path, "stg", select={"unit": "PPS_EU27_2020_HAB"})
    assert con.execute("SELECT code, year, value, flag FROM stg").fetchall() == [("AT11", 2023, 31200.0, None)]


def test_a_second_value_of_an_unselected_dimension_is_refused_by_name(tmp_path):
    path = _write(tmp_path, "api.tsv", API_TSV)
    with pytest.raises(BuildError, match=r"dimension sex has several values \(F, T\)") as err:
        _rows(path, keep=["nace_r2"], select={"age": "Y_GE15"})
    assert str(path) in str(err.value) and "freq,unit,sex,age,nace_r2,geo" in str(err.value)


def test_a_selection_matching_nothing_names_the_codes_present(tmp_path):
    path = _write(tmp_path, "api.tsv", API_TSV)
    with pytest.raises(BuildError, match=r"no values for the selection .*'unit': \['THS_PER'\]"):
        _rows(path, keep=["nace_r2"], select={**SELECT, "unit": "PC"})


def test_a_layout_not_understood_names_file_and_header(tmp_path):
    path = _write(tmp_path, "x.csv", "region;year;value\nAT;2020;1\n")
    with pytest.raises(BuildError, match=r"Eurostat layout not understood .*header is 'region;year;value'") as err:
        eurostat.detect(path)
    assert err.value.file == str(path) and err.value.line == 1


def test_quarterly_periods_are_refused_as_not_annual(tmp_path):
    path = _write(tmp_path, "q.tsv", "freq,unit,geo\\TIME_PERIOD\t2020-Q1 \t2020-Q2 \nQ,PC,AT\t1 \t2 \n")
    with pytest.raises(BuildError, match="annual data"):
        eurostat.detect(path)


def test_a_bad_cell_names_its_line(tmp_path):
    path = _write(tmp_path, "bad.tsv", API_TSV.replace("290.0 \n", "29O.0 \n"))
    with pytest.raises(BuildError, match="is not a number") as err:
        _rows(path, keep=["nace_r2"], select=SELECT)
    assert err.value.line == 6


def test_a_key_with_too_few_parts_names_its_line(tmp_path):
    path = _write(tmp_path, "short.tsv", API_TSV.replace("A,THS_PER,T,Y_GE15,F,AT", "A,THS_PER,T,F,AT"))
    with pytest.raises(BuildError, match="row key does not have the 6 parts") as err:
        _rows(path, keep=["nace_r2"], select=SELECT)
    assert err.value.line == 6


def test_confidentiality_old_and_new_becomes_c(tmp_path):
    text = "freq,unit,geo\\TIME_PERIOD\t2020 \t2021 \t2022 \nA,NR,AT\t: c\t: C\t5 pC\n"
    con = duckdb.connect()
    eurostat.stage(con, _write(tmp_path, "conf.tsv", text), "stg")
    assert con.execute("SELECT year, value, flag FROM stg ORDER BY year").fetchall() == [
        (2020, None, "c"),
        (2021, None, "c"),
        (2022, 5.0, "pc"),
    ]
