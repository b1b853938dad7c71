"""Failure reasons: which are worth retrying on a later run, and what to tell the operator.

Why a table (data/failure_reasons.tsv) instead of if-chains: the fetcher, the crawler and
the CLI all need the same answer for the same short reason key.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def reason_table() -> dict[str, tuple[bool, str]]:
    text = resources.files("ingest").joinpath("data/failure_reasons.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return {reason: (retry == "yes", advice) for reason, retry, advice in rows[1:]}   # rows[0] is the header


def _entry(reason: str) -> tuple[bool, str] | None:
    table = reason_table()
    if reason in table:
        return table[reason]
    if reason.startswith("http_") and reason[5:].isdigit():
        return table.get(f"http_{reason[5]}xx")
    return None


def is_retryable(reason: str) -> bool:
    """True if a later crawl run may succeed where this one failed (unknown reasons: yes)."""
    entry = _entry(reason)
    return True if entry is None else entry[0]


def advice(reason: str) -> str:
    entry = _entry(reason)
    return entry[1] if entry else "unexpected failure; see the message"
