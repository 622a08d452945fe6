"""Sector groups from a link or a small file: codes, weights, names and every kind of bad input."""

from __future__ import annotations

import pytest

from mapping import sector_groups as sg

VALID = {"C22", "C24", "C25", "C27", "C28", "C29", "J62"}


def test_a_link_value_becomes_a_weighted_group():
    group, problems = sg.parse("C27, c28 ,C29*0.5", VALID, name="Autos")
    assert problems == []
    assert group == sg.SectorGroup("Autos", ("C27", "C28", "C29"), (1.0, 1.0, 0.5))
    assert group.param() == "C27,C28,C29*0.5"
    assert group.label() == "Autos (C27 + C28 + C29*0.5)"
    assert group.sql_params() == {"members": ["C27", "C28", "C29"], "weights": [1.0, 1.0, 0.5]}


@pytest.mark.parametrize(
    ("text", "kept", "problem"),
    [
        ("C29,C99", ("C29",), "“C99” is not a sector of this data set"),
        ("C29,C28*x", ("C29",), "“C28*x”: the weight is not a number"),
        ("C29,C28*0", ("C29",), "“C28*0”: weights must be above 0 and at most 10"),
        ("C29,C29", ("C29",), "C29 appears twice; kept once"),
        ("C29,'; DROP TABLE x;--", ("C29",), "“'; DROP TABLE x;--” is not a sector of this data set"),
    ],
)
def test_bad_parts_are_reported_and_left_out(text, kept, problem):
    group, problems = sg.parse(text, VALID)
    assert group.members == kept and problems == [problem]


def test_nothing_usable_is_no_group_with_a_reason():
    assert sg.parse("", VALID) == (None, [])
    group, problems = sg.parse("X1,Y2", VALID)
    assert group is None and len(problems) == 2


def test_a_visitors_name_is_plain_short_text():
    assert sg.clean_name("[x](https://evil.example/) <b>hi</b>") == "x(https//evil.example/) bhi/b"  # no [, ], <, >, :
    assert sg.clean_name("   ") == "Your sector group" and len(sg.clean_name("a" * 100)) == 40


def test_files():
    assert sg.from_file(b"nace,weight\nC27,1\nC29,0.5\n", "g.csv") == ("C27*1,C29*0.5", "")
    assert sg.from_file(b'name = "Autos"\nmembers = ["C27", "C29"]\n', "g.toml") == ("C27*1,C29*1", "Autos")
    for data, name, message in [
        (b"x" * 20_000, "g.csv", "larger than 10 KB"),
        (b"\xff\xfe", "g.csv", "not UTF-8"),
        (b"members = [", "g.toml", "not valid TOML"),
        (b'members = ["C27"]\nweights = [1, 2]\n', "g.toml", "same length"),
        (b"nace,weight\n", "g.csv", "no rows"),
    ]:
        with pytest.raises(ValueError, match=message):
            sg.from_file(data, name)
    group, _ = sg.parse(sg.from_file(b"C27,1\nC29,0.5\n", "g.csv")[0], VALID)
    assert group.weights == (1.0, 0.5)
