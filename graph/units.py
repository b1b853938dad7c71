"""Unit families: which claims can be compared at all, and in which base unit.

Read from `data/units.toml`. Money (any ISO 4217 code) is one family whose
members are converted with dated rates (graph/rates.py); other families
convert by a fixed factor ("5 GW" -> 5e9 W). Units we do not know form a
family of their own, so they only ever meet the same unit.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.rates import is_currency

MONEY = "money"


@dataclass(frozen=True)
class UnitTable:
    units: dict[str, tuple[str, float]]     # unit -> (family, factor to the family base)
    nonnegative: frozenset[str]             # families whose open lower bound is 0

    def family(self, unit: str) -> str:
        if is_currency(unit):
            return MONEY
        known = self.units.get(unit.lower())
        return known[0] if known else f"unit:{unit.lower()}"

    def factor(self, unit: str) -> float:
        known = self.units.get(unit.lower())
        return known[1] if known else 1.0

    def base_unit(self, unit: str) -> str:
        """The unit values of this family are compared in (for reasons: "USD", "w", "percent")."""
        fam = self.family(unit)
        if fam == MONEY:
            return "USD"
        base = [u for u, (f, factor) in self.units.items() if f == fam and factor == 1.0]
        return base[0] if base else unit

    def is_nonnegative(self, unit: str) -> bool:
        fam = self.family(unit)
        return fam in self.nonnegative or fam.startswith("unit:")


@lru_cache(maxsize=8)
def load_units(path: str | Path) -> UnitTable:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    units = {name.lower(): (spec["family"], float(spec.get("factor", 1.0)))
             for name, spec in raw.get("units", {}).items()}
    nonneg = frozenset(f for f, spec in raw.get("families", {}).items() if spec.get("nonnegative"))
    return UnitTable(units, nonneg)
