"""Loaders for the data files under `nlp/data/` (or a configured copy).

Every loader is a pure function of a file path, cached with `lru_cache`, so a
long-running job reads each list once while tests can point at other folders.
Returned containers are shared between callers: treat them as read-only.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file is malformed; the message names the file and line to fix."""


def lang_file(data_dir: Path, folder: str, lang: str, suffix: str) -> Path | None:
    """`data_dir/folder/<lang><suffix>` if it exists, else None (language not covered)."""
    path = Path(data_dir) / folder / f"{lang}{suffix}"
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


@lru_cache(maxsize=None)
def read_jsonl(path: str) -> tuple[dict, ...]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataFileError(f"{path}:{n}: invalid JSON ({exc.msg}); one object per line") from exc
    return tuple(rows)


@lru_cache(maxsize=None)
def read_sections(path: str) -> dict[str, tuple[str, ...]]:
    """A word list file: one entry per line, `#` comments, optional `[section]` headers.

    Entries before the first header belong to section "" (the default).
    """
    sections: dict[str, list[str]] = {"": []}
    current = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1].strip()
                sections.setdefault(current, [])
                continue
            sections[current].append(line)
    return {k: tuple(v) for k, v in sections.items()}


def read_lines(path: str) -> tuple[str, ...]:
    """All entries of a plain word list (every section)."""
    out: list[str] = []
    for entries in read_sections(path).values():
        out.extend(entries)
    return tuple(out)
