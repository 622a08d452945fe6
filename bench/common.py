"""Shared helpers: a result row type and the table printer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Figure:
    area: str
    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None

    def row(self) -> str:
        verdict = {True: "ok", False: "MISSED", None: ""}[self.ok]
        value = f"{self.value:,.3f}" if self.value < 10 else f"{self.value:,.1f}"
        return f"{self.area:<10} {self.name:<72} {value:>12} {self.unit:<6} {self.goal:<22} {verdict}"


def print_table(figures: list[Figure]) -> None:
    print(f"{'area':<10} {'figure':<72} {'value':>12} {'unit':<6} {'goal':<22} verdict")
    print("-" * 132)
    for f in figures:
        print(f.row())
