"""Dated currency rates: money claims in different currencies become comparable.

Why dated: "200.000 Yuan" in a 2022 article and in a 2025 article are different
dollar amounts. The table nearest the article date is used; an article that
converts an amount itself ("200.000 Yuan (ca. 28.000 Dollar)") is better
evidence of the rate its author had in mind, so that implied rate wins for
that article.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class RateTable:
    """USD per unit of each currency, for a list of dates (ascending)."""

    dates: tuple[date, ...]
    tables: tuple[dict[str, float], ...]
    currencies: frozenset[str] = field(default_factory=frozenset)

    def usd_per_unit(self, currency: str, on: str | None = None) -> float | None:
        """The rate nearest `on` (ISO date or datetime); the latest when `on` is None/unparsable."""
        found = self.lookup(currency, on)
        return found[0] if found else None

    def lookup(self, currency: str, on: str | None = None) -> tuple[float, date | None] | None:
        """(USD per unit, date of the table used) for the table nearest `on` that has `currency`."""
        if currency == "USD":
            return 1.0, None
        if currency not in self.currencies:
            return None
        day = parse_day(on)
        if day is None:
            order = range(len(self.dates) - 1, -1, -1)
        else:  # nearest first; on a tie the later table
            order = sorted(range(len(self.dates)), key=lambda i: (abs((self.dates[i] - day).days), -i))
        for i in order:
            rate = self.tables[i].get(currency)
            if rate:
                return rate, self.dates[i]
        return None


def parse_day(value: str | None) -> date | None:
    """The date part of an ISO date or datetime string; None when absent or malformed."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@lru_cache(maxsize=8)
def load_rates(path: str | Path) -> RateTable:
    """Read a rates TOML file ([[table]] blocks with a `date` and CODE = usd_per_unit)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"currency rate table {path} not found: point LinkConfig.rates_path at a TOML file "
            "with [[table]] blocks (see graph/data/rates.toml)"
        ) from exc
    rows = []
    for block in raw.get("table", []):
        day = parse_day(str(block.get("date", "")))
        if day is None:
            raise ValueError(f"{path}: every [[table]] needs date = \"YYYY-MM-DD\"; got {block.get('date')!r}")
        rates = {k.upper(): float(v) for k, v in block.items() if k != "date"}
        rows.append((day, rates))
    rows.sort(key=lambda r: r[0])
    currencies = frozenset(c for _, r in rows for c in r)
    return RateTable(tuple(d for d, _ in rows), tuple(r for _, r in rows), currencies)


def is_currency(unit: str | None) -> bool:
    """ISO 4217 codes are three upper-case letters; every other unit is lower-case."""
    return bool(unit) and len(unit) == 3 and unit.isalpha() and unit.isupper()


def implied_rate(orig_value: float, orig_unit: str, conv_value: float, conv_unit: str,
                 table: RateTable, on: str | None) -> tuple[str, float] | None:
    """(currency, USD per unit) implied by an article converting `orig` into `conv` itself.

    "200.000 Yuan (ca. 28.000 Dollar)" -> ("CNY", 0.14). A conversion into a
    third currency is chained through the table's rate of that currency.
    """
    if not (is_currency(orig_unit) and is_currency(conv_unit)) or orig_unit == conv_unit:
        return None
    if orig_value <= 0 or conv_value <= 0:
        return None
    if orig_unit == "USD":  # "28.000 Dollar (ca. 200.000 Yuan)": the rate of the target currency
        return conv_unit, orig_value / conv_value
    conv_usd = table.usd_per_unit(conv_unit, on)
    if conv_usd is None:
        return None
    return orig_unit, conv_value / orig_value * conv_usd


def usd_rate(currency: str, on: str | None, table: RateTable,
             overrides: dict[str, float] | None = None) -> tuple[float | None, str]:
    """USD per unit of `currency` for one article, and where the rate came from.

    `overrides` are the article's own implied rates; the returned source is
    "article" or "table <date>" so flag reasons can say which rate was used.
    """
    if currency == "USD":
        return 1.0, "identity"
    if overrides and currency in overrides:
        return overrides[currency], "the article's own conversion"
    found = table.lookup(currency, on)
    if found is None:
        return None, "no rate"
    return found[0], f"rate table of {found[1].isoformat()}"
