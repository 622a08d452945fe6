"""Sector groups of the user's own: a few NACE codes of one sector set, optionally weighted, that the cluster methods
treat as one more sector ('GROUP', see cluster_cells). Written in a link as ``group=C27,C28,C29*0.5`` (and
``gname=``), or uploaded as a small CSV (``nace,weight``) or TOML (``name = ...``, ``members = [...]``,
``weights = [...]``). The examples are this project's approximations, not the Commission's definitions."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass

MAX_MEMBERS = 30
MAX_BYTES = 10_000
CODE = re.compile(r"^[A-Z]\d{0,2}$")
NAME = re.compile(r"[^\w .,&()'/-]+")


@dataclass(frozen=True)
class SectorGroup:
    name: str
    members: tuple[str, ...]
    weights: tuple[float, ...]

    def param(self) -> str:
        """The ``group=`` value: codes, each with ``*weight`` unless the weight is 1."""
        return ",".join(m if w == 1 else f"{m}*{w:g}" for m, w in zip(self.members, self.weights, strict=True))

    def label(self) -> str:
        return f"{self.name} ({' + '.join(self.param().split(','))})"

    def sql_params(self) -> dict[str, list]:
        return {"members": list(self.members), "weights": list(self.weights)}


# Starting points, labelled as what they are.
EXAMPLES = {
    "Automotive value chain (this project's approximation)": "C22,C24,C25,C27,C28,C29",
    "Tourism (this project's approximation)": "H49*0.3,H51,I55,I56,N79",
    "Digital (this project's approximation)": "C26,J58,J61,J62,J63",
}


def clean_name(text: str | None, default: str = "Your sector group") -> str:
    """A visitor's group name as plain, short text (no Markdown or HTML characters)."""
    name = NAME.sub("", (text or "").strip())[:40].strip()
    return name or default


def parse(text: str | None, valid: set[str], *, name: str | None = None) -> tuple[SectorGroup | None, list[str]]:
    """A group from a ``group=`` value; unknown or repeated codes, bad weights and extra members are reported (as
    plain text, a visitor's input quoted at most 20 characters) and left out."""
    if not text:
        return None, []
    problems: list[str] = []
    members: list[str] = []
    weights: list[float] = []
    for raw in text[:2000].split(","):
        part = raw.strip()
        if not part:
            continue
        code, _, w = part.partition("*")
        code = code.strip().upper()
        if not CODE.match(code) or code not in valid:
            problems.append(f"“{part[:20]}” is not a sector of this data set")
            continue
        try:
            weight = float(w) if w.strip() else 1.0
        except ValueError:
            problems.append(f"“{part[:20]}”: the weight is not a number")
            continue
        if not 0 < weight <= 10:
            problems.append(f"“{part[:20]}”: weights must be above 0 and at most 10")
            continue
        if code in members:
            problems.append(f"{code} appears twice; kept once")
            continue
        if len(members) == MAX_MEMBERS:
            problems.append(f"a group holds at most {MAX_MEMBERS} sectors; the rest are left out")
            break
        members.append(code)
        weights.append(weight)
    if not members:
        return None, problems or ["the group names no sector of this data set"]
    return SectorGroup(clean_name(name), tuple(members), tuple(weights)), problems


def from_file(data: bytes, filename: str) -> tuple[str, str]:
    """``(group value, name)`` from an uploaded CSV (columns nace[, weight]) or TOML file (name, members[, weights]).

    Raises:
        ValueError: a message fit to show (as text).
    """
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is larger than {MAX_BYTES // 1000} KB; a group needs a few lines")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("the file is not UTF-8 text") from exc
    if filename.lower().endswith(".toml"):
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"not valid TOML: {str(exc)[:80]}") from exc
        members = doc.get("members")
        weights = doc.get("weights") or [1] * len(members or [])
        if not isinstance(members, list) or not isinstance(weights, list) or len(weights) != len(members):
            raise ValueError("a TOML group needs members = [...] (and weights = [...] of the same length)")
        value = ",".join(f"{str(m)[:5]}*{w}" for m, w in zip(members, weights, strict=True))
        return value, str(doc.get("name", ""))[:40]
    rows = list(csv.reader(io.StringIO(text)))
    if rows and rows[0] and rows[0][0].strip().lower() in ("nace", "code", "sector"):
        rows = rows[1:]
    parts = [f"{r[0].strip()[:5]}*{r[1].strip()[:8] or 1}" if len(r) > 1 else r[0].strip()[:5] for r in rows if r]
    if not parts:
        raise ValueError("the CSV has no rows (columns: nace, weight)")
    return ",".join(parts[: MAX_MEMBERS + 5]), ""
