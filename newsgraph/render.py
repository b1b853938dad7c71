"""Output for people (rich tables on stdout) and machines (JSON / JSON lines / CSV).

Data goes to stdout, progress and messages to stderr, so `--json` output can
be piped.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict, is_dataclass
from typing import Any, Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

out = Console(soft_wrap=False)
err = Console(stderr=True)


def to_plain(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: to_plain(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(to_plain(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def print_jsonl(items: Iterable[Any]) -> None:
    for item in items:
        sys.stdout.write(json.dumps(to_plain(item), ensure_ascii=False, default=str) + "\n")


def print_csv(rows: list[dict]) -> None:
    if not rows:
        return
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    sys.stdout.write(buf.getvalue())


def print_table(rows: list[dict], title: str | None = None, columns: list[str] | None = None) -> None:
    if not rows:
        out.print(f"[dim]{escape(title) + ': ' if title else ''}no rows[/dim]")
        return
    columns = columns or list(rows[0].keys())
    # cells and headers are data, never rich markup: a "[[source]]" or "[b]" in a sentence stays as is
    table = Table(title=Text(title) if title else None, show_lines=False)
    for col in columns:
        table.add_column(Text(col), overflow="fold")
    for row in rows:
        table.add_row(*[Text(_cell(row.get(c))) for c in columns])
    out.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, (list, dict)):
        return json.dumps(to_plain(value), ensure_ascii=False, default=str)
    return str(value)


def fmt_value(value: float | None, unit: str | None) -> str:
    """5.6e6, USD -> '5.6 M USD' (a compact, unambiguous human form)."""
    if value is None:
        return "?"
    for factor, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= factor:
            return f"{value / factor:.4g}{suffix} {unit or ''}".strip()
    return f"{value:.4g} {unit or ''}".strip()
