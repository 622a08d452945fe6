"""The build on a tiny hand-made sources folder: numbers, flags, placements, bad files, atomicity."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mapping.config import PROJECT_ROOT
from mapping.db import connect
from mapping.ingest import BuildError, build
from tests.minisources import SBS_TSV, write_mini_sources


def quiet(_msg: str) -> None:
    pass


@pytest.fixture
def mini(tmp_path: Path):
    src = tmp_path / "sources"
    manifest = write_mini_sources(src)
    return src, manifest, tmp_path / "out" / "test.duckdb"


@pytest.fixture
def built(mini):
    src, manifest, db = mini
    build(src, db, manifest=manifest, progress=quiet)
    con = connect(db)
    yield con
    con.close()


def rows(con, sql, **params):
    return con.execute(sql, params or None).fetchall()


def emp(con, region, nace, year):
    return rows(
        con,
        """SELECT persons, local_units, wages_meur, flag, wages_flag, placement, source_code FROM employment
           WHERE region_code = $r AND nace = $n AND year = $y""",
        r=region,
        n=nace,
        y=year,
    )


def test_identical_code_keeps_all_three_measures_and_flags(built):
    assert emp(built, "DE11", "C29", 2014) == [(100.0, 10.0, 5.5, None, None, "nuts", "DE11")]
    assert emp(built, "DE11", "C29", 2013) == [(90.0, 9.0, 5.0, None, "p", "nuts", "DE11")]


def test_confidential_cell_is_null_with_flag_never_zero(built):
    assert emp(built, "PL12", "C29", 2013) == [(None, None, None, "c", None, "split", "PL12")]


def test_split_region_keeps_old_code_drawn_on_union_of_successors(built):
    assert emp(built, "PL12", "C29", 2014)[0][:1] == (40.0,)
    ((members, version),) = rows(built, "SELECT members, nuts_version FROM regions WHERE code = 'PL12'")
    assert (members, version) == ("PL91+PL92", "2013")
    # Union of two 2x2 degree squares is one 4x2 rectangle.
    (area,) = rows(built, "SELECT ST_Area(geom) FROM region_geometry WHERE code = 'PL12' AND scale = '60M'")[0]
    assert area == pytest.approx(8.0)


def test_boundary_group_sums_additive_values_only_when_all_members_known(built):
    assert emp(built, "DE17+DE18", "C10", 2014)[0][:1] == (11.0,)  # 5 + 6
    # 2013: DE17 = 3 but DE18 confidential -> the sum is unknown, flagged c.
    persons, *_rest = emp(built, "DE17+DE18", "C10", 2013)[0]
    assert persons is None
    assert emp(built, "DE17+DE18", "C10", 2013)[0][3] == "c"


def test_recode_meeting_native_code_is_superseded_not_double_counted(built):
    assert len(emp(built, "DE11", "C29", 2013)) == 1
    assert rows(built, "SELECT source_code, year, reason FROM unplaced WHERE source_code = 'DE19'") == [
        ("DE19", 2013, "superseded: the successor code has a value for the same year")
    ]


def test_old_split_unit_superseded_when_successor_has_data(built):
    assert emp(built, "PL91", "C10", 2014)[0][:1] == (5.0,)
    assert emp(built, "PL12", "C10", 2014) == []
    assert rows(built, "SELECT value FROM unplaced WHERE source_code = 'PL12' AND key = 'persons|C10'") == [(8.0,)]


def test_unknown_and_extra_regio_codes_are_counted_not_dropped(built):
    got = dict(
        rows(
            built,
            "SELECT source_code, count(*) FROM unplaced WHERE source_code IN ('DEZZ', 'XX99') GROUP BY 1",
        )
    )
    assert got == {"DEZZ": 2, "XX99": 2}
    report = dict(rows(built, "SELECT item, count FROM build_report WHERE source_id = 'sbs'"))
    assert report["rows unplaced: extra-regio (not a territory)"] == 2
    assert report["rows unplaced: code not found in NUTS 2021/2024 nor in the crosswalk"] == 2
    assert rows(built, "SELECT count(*) FROM employment")[0][0] == 9


def test_regions_geometry_and_provenance(built):
    assert rows(built, "SELECT nuts_version, count(*) FROM regions WHERE NOT is_unit GROUP BY 1 ORDER BY 1") == [
        ("2021", 10),
        ("2024", 10),
    ]
    ((name, latn, parent, lon, lat),) = rows(
        built,
        """SELECT name, name_latn, parent, label_lon, label_lat FROM regions
           WHERE code = 'PL91' AND nuts_version = '2021'""",
    )
    assert (name, latn, parent, lon, lat) == ("Nom PL91", "Name PL91", "PL9", 21.0, 51.0)
    gj = rows(
        built,
        "SELECT geojson FROM region_geometry WHERE code = 'PL91' AND scale = '60M' AND nuts_version = '2021'",
    )
    assert gj[0][0].startswith('{"type":"Polygon"')
    src = dict(rows(built, "SELECT source_id, rows_loaded FROM sources"))
    assert src["sbs"] == 9 and src["labels"] == 10
    (sha,) = rows(built, "SELECT sha256 FROM sources WHERE source_id = 'sbs'")[0]
    assert len(sha) == 64


def test_report_counts_rows_read(mini):
    # 12 series x 2 years = 24 cells; the pure ':' cells (DE19 2014, C10 PL12 2013, C10 PL91 2013) carry nothing.
    src, manifest, db = mini
    build(src, db, manifest=manifest, progress=quiet)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count FROM build_report WHERE item = 'rows read'").fetchone()[0] == 21
    con.close()


# --------------------------------------------------------------------------- bad input


def rewrite_sbs(src: Path, text: str) -> None:
    with gzip.open(src / "sbs.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write(text)


def test_bad_cell_names_file_and_line(mini):
    src, manifest, db = mini
    rewrite_sbs(src, SBS_TSV.replace("C29,V16110,PL12\t40 ", "C29,V16110,PL12\t4O "))
    with pytest.raises(BuildError) as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.file.endswith("sbs.tsv.gz") and err.value.line == 3
    assert "'4O '" in err.value.reason


def test_wrong_field_count_names_line(mini):
    src, manifest, db = mini
    (src / "nace.csv").write_text("code,level,parent,label\nC,section,,Manufacturing,extra\n")
    with pytest.raises(BuildError) as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.file.endswith("nace.csv") and err.value.line == 2


def test_missing_column_names_line_one(mini):
    src, manifest, db = mini
    (src / "crosswalk.csv").write_text("from_code,from_version,to_code,to_version,unit_code,note\n")
    with pytest.raises(BuildError, match=r"missing column.*method") as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.line == 1


def test_crosswalk_target_outside_the_boundaries_is_skipped_and_counted(mini):
    src, manifest, db = mini
    text = (src / "crosswalk.csv").read_text().replace("DE19,2013,DE11", "DE19,2013,DE99")
    (src / "crosswalk.csv").write_text(text)
    build(src, db, manifest=manifest, progress=quiet)
    con = connect(db)
    report = rows(con, "SELECT item, count, detail FROM build_report WHERE source_id = 'xwalk'")
    assert ("crosswalk rows whose NUTS 2021 target is not in the boundaries (skipped)", 1, "DE99") in report
    # DE19 is then a code nobody can place: its values are kept in unplaced with the reason, never dropped.
    assert rows(con, "SELECT count(*) FROM unplaced WHERE source_code = 'DE19'")[0][0] > 0
    con.close()


def test_malformed_geojson_names_line(mini):
    src, manifest, db = mini
    path = src / "nuts" / "RG_60M_2021_L2.geojson"
    lines = path.read_text().splitlines()
    lines[5] = lines[5] + " ,,"
    path.write_text("\n".join(lines))
    with pytest.raises(BuildError, match="invalid JSON") as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.line == 6 and err.value.file.endswith("RG_60M_2021_L2.geojson")


def test_invalid_utf8_names_line(mini):
    src, manifest, db = mini
    (src / "nace.csv").write_bytes(b"code,level,parent,label\nC,section,,Manufactur\xe9\n")
    with pytest.raises(BuildError, match="UTF-8") as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.line == 2


def test_duplicate_observation_is_an_error(mini):
    src, manifest, db = mini
    rewrite_sbs(src, SBS_TSV + "C,V16110,DE11\t1 \t2 \n")
    with pytest.raises(BuildError, match="2 rows for the same region DE11") as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.line == 13


def test_missing_file_stops_build_unless_allowed(mini):
    src, manifest, db = mini
    (src / "sbs.tsv.gz").unlink()
    with pytest.raises(BuildError, match="file is missing") as err:
        build(src, db, manifest=manifest, progress=quiet)
    assert err.value.file.endswith("sbs.tsv.gz")
    build(src, db, manifest=manifest, allow_missing=True, progress=quiet)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT status, rows_loaded FROM sources WHERE source_id = 'sbs'").fetchone() == (
        "missing",
        0,
    )
    con.close()


def test_failed_build_leaves_previous_db_byte_identical(mini):
    src, manifest, db = mini
    build(src, db, manifest=manifest, progress=quiet)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    rewrite_sbs(src, SBS_TSV.replace("10 \t9", "ten \t9"))
    with pytest.raises(BuildError):
        build(src, db, manifest=manifest, progress=quiet)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]  # no temporary file left behind


def test_cli_reports_failure_with_exit_code_2(mini, tmp_path):
    src, _manifest, _db = mini
    (src / "nace.csv").write_text("")
    env_db = tmp_path / "cli.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "mapping", "build", "--sources", str(src), "--db", str(env_db)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # The CLI uses the project manifest, whose files are not in this tiny folder.
    assert proc.returncode == 2
    assert "BUILD FAILED" in proc.stderr and "file is missing" in proc.stderr
    assert not env_db.exists()


def test_freshness_follows_source_checksums(mini):
    from mapping.ingest.freshness import is_fresh

    src, manifest, db = mini
    assert not is_fresh(db, src, manifest)
    build(src, db, manifest=manifest, progress=quiet)
    assert is_fresh(db, src, manifest)
    (src / "nace.csv").write_text((src / "nace.csv").read_text() + "C11,division,C,Beverages\n")
    assert not is_fresh(db, src, manifest)


def test_freshness_treats_still_missing_as_fresh_and_a_returning_file_as_stale(mini):
    """`make run` after a partial build must not rebuild (and fail again) while a source is still absent."""
    from mapping.ingest.freshness import is_fresh

    src, manifest, db = mini
    data = (src / "sbs.tsv.gz").read_bytes()
    (src / "sbs.tsv.gz").unlink()
    build(src, db, manifest=manifest, allow_missing=True, progress=quiet)
    assert is_fresh(db, src, manifest)  # recorded as missing and still missing
    (src / "sbs.tsv.gz").write_bytes(data)
    assert not is_fresh(db, src, manifest)  # the file came back: rebuild


def test_freshness_keeps_a_failed_file_until_it_changes(mini):
    from mapping.ingest.freshness import is_fresh

    src, manifest, db = mini
    rewrite_sbs(src, SBS_TSV.replace("10 \t9", "ten \t9"))
    summary = build(src, db, manifest=manifest, allow_missing=True, progress=quiet)
    assert summary.failed == ["sbs"]
    assert is_fresh(db, src, manifest)  # the same broken file would fail the same way
    rewrite_sbs(src, SBS_TSV)
    assert not is_fresh(db, src, manifest)


def test_missing_boundaries_stop_even_a_lenient_build_and_say_how_to_get_them(mini):
    src, manifest, db = mini
    manifest = load_manifest_required(src)
    (src / "nuts" / "RG_60M_2021_L2.geojson").unlink()
    with pytest.raises(BuildError) as err:
        build(src, db, manifest=manifest, allow_missing=True, progress=quiet)
    text = str(err.value)
    assert "NUTS boundaries are missing" in text and "RG_60M_2021_L2.geojson" in text
    assert "make fetch" in text and "CLUSTERMAP_SOURCES" in text
    assert not db.exists()


def load_manifest_required(src: Path):
    """The mini manifest with its boundary sources marked as required (as the real manifest marks GISCO)."""
    from mapping.ingest.manifest import load_manifest

    text = (src / "sources.toml").read_text()
    for sid in ("labels", "geo60", "geo20", "nuts2024"):
        text = text.replace(f'id = "{sid}"\n', f'id = "{sid}"\nrequired = true\n')
    (src / "sources.toml").write_text(text)
    return load_manifest(src / "sources.toml")


def test_a_failing_reader_leaves_no_row_and_no_unit_behind(mini):
    """Rows carrying the source's id and the map units it registered are removed; the build goes on."""
    from mapping.ingest.manifest import load_manifest
    from mapping.ingest.readers import READERS

    def boom(ctx, source, paths):
        ctx.add_unit("XX_C", "TEST", ["DE11"], method="unit", name="a unit of a source that then fails")
        ctx.con.execute(
            "INSERT INTO indicators VALUES ('DE11', '2021', 'boom.x', 2020, 1.0, NULL, $s, 'DE11', 'nuts', NULL)",
            {"s": source.id},
        )
        ctx.report(source.id, "half-way", 1)
        raise ValueError("the file ends in the middle of a row")

    src, _manifest, db = mini
    text = (src / "sources.toml").read_text() + (
        '\n[[source]]\nid = "boomsrc"\ntitle = "t"\npublisher = "p"\nlicence = "l"\nattribution = "a"\n'
        'url = "http://127.0.0.1/x"\nformat = "x"\nreader = "boom"\nfiles = ["nace.csv"]\n'
    )
    (src / "sources.toml").write_text(text)
    READERS["boom"] = boom
    try:
        summary = build(src, db, manifest=load_manifest(src / "sources.toml"), allow_missing=True, progress=quiet)
    finally:
        del READERS["boom"]
    assert summary.failed == ["boomsrc"]
    con = connect(db)
    assert rows(con, "SELECT count(*) FROM indicators WHERE source_id = 'boomsrc'") == [(0,)]
    assert rows(con, "SELECT count(*) FROM regions WHERE code = 'XX_C'") == [(0,)]
    assert rows(con, "SELECT count(*) FROM region_units WHERE unit_code = 'XX_C'") == [(0,)]
    assert rows(con, "SELECT item FROM build_report WHERE source_id = 'boomsrc'") == [("source failed",)]
    assert rows(con, "SELECT reason FROM sources WHERE source_id = 'boomsrc'") == [
        ("ValueError: the file ends in the middle of a row",)
    ]
    con.close()


def test_report_summary_adds_every_unplaced_reason():
    import pandas as pd

    from mapping import provenance

    report = pd.DataFrame(
        {
            "source_id": ["a", "a", "a", "a", "b"],
            "item": [
                "rows read",
                "rows landed",
                "rows unplaced: extra-regio (not a territory)",
                "rows unplaced: code not found",
                "rows read",
            ],
            "count": [10, 7, 2, 1, 5],
        }
    )
    summary = provenance.report_summary(report)
    assert summary.loc["a"].tolist() == [10, 7, 3]
    assert summary.loc["b", "rows unplaced"] == 0 and pd.isna(summary.loc["b", "rows landed"])
