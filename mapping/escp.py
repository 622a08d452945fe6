"""European cluster partnerships: who takes part, from where, and how complete the record is.

The member lists are a verified *sample* (about a third of member organisations where totals are
known). Every count here is therefore a lower bound; each programme is shown with members listed vs
expected, and views can be restricted to partnerships whose full member list is recorded.

Counting rules (also shown on the page):
* participation = a member organisation in a partnership (the same organisation in two partnerships
  counts twice); affiliated entities of a partner and partnership-level fact rows are not counted;
* distinct organisations = distinct names after case, accent-free and punctuation folding;
* coordinator = a member row whose role starts with "coordinator";
* a partnership's list is *full* when every member row says "full list on page" and the listed members
  reach the expected number where one is recorded.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mapping import countries as country_names
from mapping import upload
from mapping.export import FORMULA_PREFIXES
from mapping.ingest.readers import ESCP_MEMBER_COLS

PROGRAMMES = {
    "ESCP-4i": "ESCP-4i (Going International)",
    "ESCP-4x": "ESCP-4x (Excellence)",
    "European Cluster Partnership - Excellence": "ECP for Excellence 2022",
    "European Cluster Partnerships - Excellence": "ECP for Excellence 2022",
    "ESCP-S3": "ESCP-S3 (smart specialisation)",
    "Euroclusters": "Euroclusters",
    "INNOSUP-1": "INNOSUP-1",
    "COSME Cluster Excellence Programme (2015 projects)": "COSME Cluster Excellence 2015 (predecessor)",
}
ORDER = list(dict.fromkeys(PROGRAMMES.values()))
EXPECTED_KEYS = {  # manifest-free names used in data/escp_expected.csv
    "ESCP-4i (Going International)": "ESCP-4i",
    "ESCP-4x (Excellence)": "ESCP-4x",
    "ECP for Excellence 2022": "ECP-Excellence",
    "ESCP-S3 (smart specialisation)": "ESCP-S3",
    "Euroclusters": "Euroclusters",
    "INNOSUP-1": "INNOSUP-1",
}
MEMBER_COLUMNS = ESCP_MEMBER_COLS  # the sources file's columns, also the import template's
REQUIRED_COLUMNS = ["programme", "partnership_acronym", "member_organisation", "member_country", "role", "source_url"]
COMPLETENESS = ("full list on page", "partial", "coordinator only", "partnership-level fact only")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def programme(name: str) -> str:
    return PROGRAMMES.get(str(name).strip(), str(name).strip())


def programmes_of(members: pd.DataFrame, *, current_only: bool = False) -> list[str]:
    """The programmes with member rows, in ``ORDER``; ``current_only`` leaves out the predecessor programmes (what the
    pages show by default)."""
    present = set(members["programme"])
    return [p for p in ORDER if p in present and not (current_only and "predecessor" in p)]


def generation_key(programme_name: str, generation: str) -> str:
    """'1st generation (call ...)' -> 'gen1'; used to match the expected totals."""
    g = str(generation or "").lower()
    p = programme(programme_name)
    if p.startswith("ESCP-4i"):
        for word, key in (("1st", "gen1"), ("2nd", "gen2"), ("3rd", "gen3"), ("4th", "call4")):
            if g.startswith(word):
                return key
        return "unknown"
    if p.startswith(("ESCP-4x", "Euroclusters")):
        return "wave1"
    if p.startswith("ECP for Excellence"):
        return "2022"
    if p.startswith("ESCP-S3"):
        return "2017"
    if p.startswith("INNOSUP"):
        return "all"
    return "other"


def fold(name: str) -> str:
    """Organisation name for de-duplication: case, accents and punctuation folded."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def prepare(members: pd.DataFrame) -> pd.DataFrame:
    """Member rows with canonical programme, generation key, and the counting flags."""
    m = members.copy()
    m["programme"] = m["programme"].map(programme)
    m["generation_key"] = [generation_key(p, g) for p, g in zip(m["programme"], m["generation"], strict=True)]
    org = m["member_organisation"].astype("string")
    role = m["role"].fillna("").astype(str).str.lower()
    m["is_member"] = org.notna() & (org.str.strip() != "") & ~role.str.startswith("affiliated")
    m["is_coordinator"] = m["is_member"] & role.str.startswith("coordinator")
    m["org_key"] = org.fillna("").map(fold)
    m["member_country"] = m["member_country"].where(m["member_country"].notna() & (m["member_country"] != ""), None)
    return m


def complete_partnerships(members: pd.DataFrame, partnerships: pd.DataFrame) -> set[tuple[str, str]]:
    """(programme, acronym) of partnerships whose full member list is recorded."""
    m = members[members["is_member"]]
    full = m.groupby(["programme", "partnership_acronym"])["completeness"].agg(lambda s: (s == COMPLETENESS[0]).all())
    listed = m.groupby(["programme", "partnership_acronym"])["org_key"].nunique()
    p = partnerships.assign(programme=partnerships["programme"].map(programme)).set_index(["programme", "acronym"])
    out = set()
    for key, is_full in full.items():
        expected = p["members_expected"].get(key) if key in p.index else None
        enough = expected is None or pd.isna(expected) or listed.get(key, 0) >= expected
        if is_full and enough:
            out.add(key)
    return out


def only_partnerships(members: pd.DataFrame, only: set[tuple[str, str]]) -> pd.DataFrame:
    """The member rows of the (programme, acronym) partnerships in ``only``."""
    keys = list(zip(members["programme"], members["partnership_acronym"], strict=True))
    return members[[k in only for k in keys]]


def scoped_counts(
    members: pd.DataFrame, partnerships: pd.DataFrame, population: pd.DataFrame, *, full_only: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The country x programme table and the per-country figures for the chosen members; with ``full_only``, only
    partnerships whose full member list is recorded."""
    only = complete_partnerships(members, partnerships) if full_only else None
    table = country_table(members, only=only)
    return table, by_country(table, members if only is None else only_partnerships(members, only), population)


def partnership_listing(members: pd.DataFrame, partnerships: pd.DataFrame) -> pd.DataFrame:
    """One row per partnership of the chosen programmes: its recorded members as "organisation (country)" and
    whether its full member list is recorded."""
    p = partnerships.assign(programme=partnerships["programme"].map(programme))
    p = p[p["programme"].isin(members["programme"].unique())]
    m = members[members["is_member"]]
    listing = m.groupby(["programme", "partnership_acronym"]).apply(
        lambda g: "; ".join(
            f"{o} ({c if isinstance(c, str) and c else '?'})"
            for o, c in zip(g["member_organisation"], g["member_country"], strict=True)
        ),
        include_groups=False,
    )
    keys = list(zip(p["programme"], p["acronym"], strict=True))
    full = complete_partnerships(members, partnerships)
    return p.assign(**{"members (country)": [listing.get(k, "") for k in keys], "full list": [k in full for k in keys]})


def country_table(members: pd.DataFrame, *, only: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Per country and programme: participations, distinct organisations, partnerships, coordinator roles.

    ``only`` restricts to the given (programme, acronym) partnerships. Rows without a country are
    counted under country '??' so totals stay honest.
    """
    m = members[members["is_member"]].copy()
    if only is not None:
        keys = list(zip(m["programme"], m["partnership_acronym"], strict=True))
        m = m[[k in only for k in keys]]
    m["country"] = m["member_country"].fillna("??")
    if m.empty:  # e.g. an import that replaced the sample with rows of other programmes only
        return pd.DataFrame(
            {
                "country": pd.Series(dtype=object),
                "programme": pd.Series(dtype=object),
                "participations": pd.Series(dtype="int64"),
                "organisations": pd.Series(dtype="int64"),
                "partnerships": pd.Series(dtype="int64"),
                "coordinators": pd.Series(dtype="int64"),
                "share_of_programme": pd.Series(dtype=float),
            }
        )
    grouped = m.groupby(["country", "programme"])
    table = pd.DataFrame(
        {
            "participations": grouped.size(),
            "organisations": grouped["org_key"].nunique(),
            "partnerships": grouped["partnership_acronym"].nunique(),
            "coordinators": grouped["is_coordinator"].sum().astype(int),
        }
    ).reset_index()
    total = m.groupby("programme").size()
    table["share_of_programme"] = table["participations"] / table["programme"].map(total)
    return table


def by_country(table: pd.DataFrame, members: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """All programmes together per country (distinct organisations counted across programmes)."""
    m = members[members["is_member"]].assign(country=lambda d: d["member_country"].fillna("??"))
    out = table.groupby("country")[["participations", "partnerships", "coordinators"]].sum()
    out["organisations"] = m.groupby("country")["org_key"].nunique()
    out["programmes"] = table.groupby("country")["programme"].nunique()
    pop = population.set_index("country")["population_m"]
    out["population_m"] = pop.reindex(out.index)
    out["participations_per_million"] = out["participations"] / out["population_m"]
    out["share"] = out["participations"] / out["participations"].sum()
    return out.sort_values("participations", ascending=False)


def programme_summary(members: pd.DataFrame, partnerships: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Per programme: partnerships and members listed against the totals the Commission states."""
    m = members[members["is_member"]]
    p = partnerships.assign(programme=partnerships["programme"].map(programme))
    rows = []
    for prog in [x for x in ORDER if x in set(p["programme"]) | set(m["programme"])]:
        mm = m[m["programme"] == prog]
        exp = expected[expected["programme"] == EXPECTED_KEYS.get(prog, "")]
        rows.append(
            {
                "programme": prog,
                "partnerships listed": int((p["programme"] == prog).sum()),
                "partnerships expected": _sum_or_none(exp["partnerships_expected"]),
                "organisations listed": int(mm["org_key"].nunique()),
                "organisations expected": _sum_or_none(exp["organisations_expected"]),
                "countries listed": int(mm["member_country"].dropna().nunique()),
                "member rows without a country": int(mm["member_country"].isna().sum()),
                "expected (source)": " | ".join(exp["source"]) if len(exp) else "no total found",
            }
        )
    out = pd.DataFrame(rows)
    out["organisations coverage"] = out["organisations listed"] / out["organisations expected"]
    return out


def _sum_or_none(s: pd.Series):
    s = pd.to_numeric(s, errors="coerce").dropna()
    return int(s.sum()) if len(s) else None


def co_participation(members: pd.DataFrame, *, programmes: list[str] | None = None) -> pd.DataFrame:
    """Country x country: number of partnerships with members from both (diagonal: partnerships with the country)."""
    m = members[members["is_member"] & members["member_country"].notna()]
    if programmes:
        m = m[m["programme"].isin(programmes)]
    pairs = m[["programme", "partnership_acronym", "member_country"]].drop_duplicates()
    if pairs.empty:
        return pd.DataFrame()
    incidence = pd.crosstab([pairs["programme"], pairs["partnership_acronym"]], pairs["member_country"])
    matrix = incidence.T.dot(incidence)
    return matrix


def compare_countries(table: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """Side by side: participations per programme (rows) for the chosen countries (columns)."""
    sub = table[table["country"].isin(countries)]
    return sub.pivot_table(
        index="programme", columns="country", values="participations", aggfunc="sum", fill_value=0
    ).reindex(columns=countries, fill_value=0)


def gap_table(countries: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Countries with many starred clusters but few partnership participations.

    gap = share of the EU's starred cluster cells - share of recorded participations (percentage points);
    positive = under-represented in the partnership record relative to cluster strength.
    """
    c = clusters.set_index("country")[["cells_2plus", "cells_3", "regions_2plus"]]
    out = c.join(countries[["participations", "organisations"]], how="left").fillna(
        {"participations": 0, "organisations": 0}
    )
    out = out[out["cells_2plus"] > 0]
    out["cluster_share"] = out["cells_2plus"] / out["cells_2plus"].sum()
    out["participation_share"] = out["participations"] / max(out["participations"].sum(), 1)
    out["gap_pp"] = 100 * (out["cluster_share"] - out["participation_share"])
    out["participations_per_100_clusters"] = 100 * out["participations"] / out["cells_2plus"]
    return out.sort_values("gap_pp", ascending=False)


# --------------------------------------------------------------------------- search

SEARCH_FIELDS = ("acronym", "name", "sector_theme", "target_markets", "coordinator")


@dataclass(frozen=True)
class Search:
    """What a partnership search matched: a country (named by code or name) and/or words."""

    countries: tuple[str, ...]  # Eurostat codes, from the search text and the country filter
    text: str  # the words left once a country name is taken out (folded)
    count: int

    def describe(self) -> str:
        what = f"{self.count} partnership{'s' if self.count != 1 else ''}"
        if self.countries:
            named = " and from ".join(f"{country_names.name(c)} ({c})" for c in self.countries)
            what += f" with a member from {named}"
        if self.text:
            what += f" matching “{self.text}” (acronym, name, theme, markets, coordinator or member)"
        return what


def partnership_countries(members: pd.DataFrame) -> pd.DataFrame:
    """(programme, acronym, country) of every counted participation: the partnerships a country takes part in,
    counted as ``country_table`` counts them (so a search by country gives the *Compare countries* number)."""
    m = members[members["is_member"] & members["member_country"].notna()]
    return m[["programme", "partnership_acronym", "member_country"]].drop_duplicates()


def search_partnerships(
    partnerships: pd.DataFrame, members: pd.DataFrame, query: str, *, country: str | None = None
) -> tuple[pd.DataFrame, Search]:
    """Partnerships matching a search text and an optional country filter.

    A text that names a country (``PL``, ``Poland``, ``Polska``; ``EL`` or ``GR``) keeps the partnerships with a
    member from it; other words match the acronym, name, theme, target markets, coordinator and member
    organisations, case- and accent-insensitively. ``partnerships`` has canonical ``programme`` names.
    """
    named, words = country_names.split_query(query) if query else (None, "")
    wanted = [c for c in (country, named) if c]
    keep = pd.Series(True, index=partnerships.index)
    keys = list(zip(partnerships["programme"], partnerships["acronym"], strict=True))
    pairs = partnership_countries(members)
    for code in dict.fromkeys(wanted):
        with_code = pairs[pairs["member_country"] == code]
        inside = set(zip(with_code["programme"], with_code["partnership_acronym"], strict=True))
        keep &= pd.Series([k in inside for k in keys], index=partnerships.index)
    text = country_names.fold(words)
    if text:
        orgs = (
            members[members["is_member"]]
            .assign(folded=lambda d: d["member_organisation"].fillna("").map(country_names.fold))
            .groupby(["programme", "partnership_acronym"])["folded"]
            .agg(" | ".join)
        )
        hay = partnerships[list(SEARCH_FIELDS)].fillna("").astype(str).agg(" | ".join, axis=1).map(country_names.fold)
        hay = hay + " | " + pd.Series([orgs.get(k, "") for k in keys], index=partnerships.index)
        keep &= hay.str.contains(text, regex=False)
    out = partnerships[keep]
    return out, Search(tuple(dict.fromkeys(wanted)), text, len(out))


# --------------------------------------------------------------------------- import


MAX_IMPORT_ROWS = 20_000  # rows read at most
MAX_ERRORS = upload.MAX_ERRORS
TEMPLATE_COLUMNS = MEMBER_COLUMNS


@dataclass
class Imported:
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "column", "value", "reason"]))
    message: str = ""
    n_errors: int = 0  # row problems in all (``errors`` lists the first MAX_ERRORS)


def template_csv() -> str:
    example = [
        [
            "ESCP-4x",
            "1st wave (call COS-CLUSTER-2018-03-02)",
            "2020-2022",
            "EXAMPLE",
            "Example partnership",
            "Example Cluster Association",
            "ES",
            "coordinator",
            "https://example.org/members",
            "",
            "stated on source page",
            "full list on page",
        ],
    ]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(MEMBER_COLUMNS)
    w.writerows(example)
    return buf.getvalue()


def read_members_csv(data: bytes, *, known_countries: set[str], max_bytes: int = 5_000_000) -> Imported:
    """Validate an uploaded members CSV in the members schema; every bad row is reported with its line."""
    if not data:
        return Imported(message="The file is empty.")
    if len(data) > max_bytes:
        return Imported(message=f"The file has {len(data):,} bytes, more than the {max_bytes / 1e6:g} MB limit.")
    if b"\x00" in data[:4096]:
        return Imported(message="This looks like a binary file (an Excel workbook?). Save it as CSV (UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Imported(message=f"The file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8.")
    if wide := upload.header_width(text.split("\n", 1)[0], ","):
        return Imported(message=wide)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        return Imported(message="The first line must be the header of the members template.")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return Imported(message=f"Missing column(s): {', '.join(missing)}. Download the template for the schema.")
    idx: dict[str, int] = {}
    for i, c in enumerate(header):
        idx.setdefault(c, i)
    rows, read = [], 0
    errors = upload.ErrorLog()
    previous = reader.line_num
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            read += 1
            if read > MAX_IMPORT_ROWS:
                errors.add(line, "", "", f"more than {MAX_IMPORT_ROWS:,} rows; the rest was not read")
                break
            if len(row) != len(header):
                errors.add(line, "", ",".join(row)[:60], f"{len(row)} fields, header has {len(header)}")
                continue
            rec = {c: (row[idx[c]].strip() if c in idx else "") for c in MEMBER_COLUMNS}
            problems = []
            for col in ("programme", "partnership_acronym", "source_url"):
                if not rec[col]:
                    problems.append((col, "", "must not be empty"))
            if rec["member_country"] and not (
                COUNTRY_RE.match(rec["member_country"]) and rec["member_country"] in known_countries
            ):
                problems.append(("member_country", rec["member_country"], "not a two-letter Eurostat country code"))
            if rec["source_url"] and not re.match(r"^https?://\S+$", rec["source_url"]):
                problems.append(("source_url", rec["source_url"], "must be an http(s) address"))
            if rec["completeness"] and rec["completeness"] not in COMPLETENESS:
                problems.append(("completeness", rec["completeness"], f"one of: {', '.join(COMPLETENESS)}"))
            for col in ("member_organisation", "partnership_name", "role", "note"):
                if rec[col].startswith(FORMULA_PREFIXES):
                    problems.append((col, rec[col], "looks like a spreadsheet formula"))
            if problems:
                for c, v, r in problems:
                    errors.add(line, c, v[:60], r)
                continue
            rec["completeness"] = rec["completeness"] or "partial"
            rec["line"] = line
            rows.append(rec)
    except csv.Error as exc:
        errors.add(reader.line_num, "", "", f"cannot parse: {exc}")
    frame = pd.DataFrame(rows, columns=[*MEMBER_COLUMNS, "line"])
    for col in MEMBER_COLUMNS:
        frame[col] = frame[col].replace("", np.nan)
    message = " ".join(t for t in ("" if len(frame) else "No usable rows.", errors.summary()) if t)
    return Imported(frame=frame, errors=errors.frame(), message=message, n_errors=errors.count)


def combine(recorded: pd.DataFrame, imported: pd.DataFrame, mode: str) -> pd.DataFrame:
    """The member rows a session works with: the recorded sample, plus or instead of an import."""
    if imported is None or imported.empty:
        return recorded
    if mode == "replace":
        return imported[recorded.columns.intersection(imported.columns)]
    return pd.concat([recorded, imported[recorded.columns.intersection(imported.columns)]], ignore_index=True)
