"""Human-readable normalized values: "≤ 80 %", "≈ 5.6 M USD", "75,000 CNY / month".

Shared by the lookup output and the fact drawings so a value reads the same everywhere.
"""
from __future__ import annotations

UNIT_LABELS = {"percent": "%", "percentage_points": "pp", "count": "", "multiple": "×"}
QUALIFIER_SIGNS = {"exact": "", "approx": "≈ ", "upper_bound": "≤ ", "lower_bound": "≥ "}


def format_number(x: float) -> str:
    ax = abs(x)
    for scale, suffix in ((1e12, " T"), (1e9, " bn"), (1e6, " M")):
        if ax >= scale:
            return f"{x / scale:.3g}{suffix}"
    if ax >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def describe_value(value: float, low: float | None, high: float | None, qualifier: str,
                   unit: str, per: str | None = None) -> str:
    unit_label = UNIT_LABELS.get(unit, unit)
    if qualifier == "range" and low is not None and high is not None:
        number = f"{format_number(low)}–{format_number(high)}"
    else:
        number = QUALIFIER_SIGNS.get(qualifier, "") + format_number(value)
    text = f"{number} {unit_label}".strip() if unit_label not in ("%",) else f"{number} %"
    if per:
        text += f" / {per}"
    return text
