"""A measured figure and its target, as plain dicts ready for results.json.

Why plain dicts: stages run in subprocesses and hand their figures back as JSON;
the harness only has to add `met` and print them.
"""
from __future__ import annotations

import math
from typing import Any

OPERATORS = {
    ">=": lambda value, bound: value >= bound,
    "<=": lambda value, bound: value <= bound,
}


def target(op: str, value: float, text: str | None = None) -> dict:
    if op not in OPERATORS:
        raise ValueError(f"unknown target operator {op!r}; use one of {sorted(OPERATORS)}")
    return {"op": op, "value": value, "text": text or f"{op} {value:g}"}


def figure(key: str, label: str, value: float | None, unit: str, *,
           target: dict | None = None, detail: dict[str, Any] | None = None) -> dict:
    return {"key": key, "label": label, "value": _finite(value), "unit": unit,
            "target": target, "met": met(value, target), "detail": detail or {}}


def met(value: float | None, tgt: dict | None) -> bool | None:
    """True/False against the target; None when there is no target or no value."""
    if tgt is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(OPERATORS[tgt["op"]](value, tgt["value"]))


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, 6) if abs(value) < 1e12 else value
