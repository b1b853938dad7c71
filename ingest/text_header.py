"""Title, date and author from the first lines of a plain-text article.

Why: saved or pasted articles keep their metadata as text at the top
("Veröffentlicht am: 29. März 2025 – Verfasser: ...", "| 10. Juni 2025",
"Published: March 3, 2025 | By Jane Doe"). These lines are not article prose, so
they are lifted into fields and removed from the text; everything else stays.
Labels live in data/text_header_labels.toml.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ingest.dates import parse_date

HEADER_LINES = 8          # metadata is only looked for in this many leading non-empty lines
MAX_TITLE_CHARS = 200
MAX_AUTHOR_WORDS = 6
SENTENCE_END = (".", "!", "?", ":", ";", ",")
STRIP_CHARS = " \t|•·–—-:/"


@dataclass
class TextHeader:
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    author: str | None = None
    body_lines: list[str] = field(default_factory=list)   # input lines minus metadata lines


@dataclass(frozen=True)
class _Labels:
    published: tuple[str, ...]
    updated: tuple[str, ...]
    author: tuple[str, ...]
    pattern: re.Pattern[str]
    separators: re.Pattern[str]


@lru_cache(maxsize=1)
def labels() -> _Labels:
    data = tomllib.loads(resources.files("ingest").joinpath("data/text_header_labels.toml").read_text("utf-8"))
    everything = sorted({*data["published"], *data["updated"], *data["author"]}, key=len, reverse=True)
    pattern = re.compile(r"^\s*(" + "|".join(map(re.escape, everything)) + r")(?:\s*:\s*|\s+)(\S.*)$", re.I)
    separators = re.compile("|".join(map(re.escape, data["separators"])))
    return _Labels(tuple(data["published"]), tuple(data["updated"]), tuple(data["author"]), pattern, separators)


def _looks_like_name(value: str) -> bool:
    """A byline value: a few words, each starting upper-case (particles like "von" allowed), no digits."""
    words = value.replace(",", " ").split()
    if not 1 <= len(words) <= MAX_AUTHOR_WORDS or any(ch.isdigit() for ch in value):
        return False
    capitalized = sum(1 for w in words if w[0].isupper())
    return capitalized >= max(1, len(words) - 2) and words[0][0].isupper()


def _read_segment(segment: str, header: TextHeader) -> bool:
    """Fill `header` from one segment; True if the segment is metadata."""
    table = labels()
    match = table.pattern.match(segment)
    if match:
        label, value = match.group(1).lower(), match.group(2).strip(STRIP_CHARS)
        date = parse_date(value)
        if date and label in table.published:
            header.published = header.published or date
            return True
        if date and label in table.updated:
            header.updated = header.updated or date
            return True
        if label in table.author and _looks_like_name(value):
            header.author = header.author or value
            return True
    bare = segment.strip(STRIP_CHARS)
    # a segment that is nothing but a date ("| 10. Juni 2025", "29.03.2025, 10:15 Uhr")
    if bare and len(bare) <= 40 and sum(c.isalpha() for c in bare) <= 16:
        date = parse_date(bare)
        if date:
            header.published = header.published or date
            return True
    return False


def _is_metadata_line(line: str, header: TextHeader) -> bool:
    segments = [s for s in labels().separators.split(line) if s.strip(STRIP_CHARS)]
    if not segments:
        return False
    trial = TextHeader()
    if not all(_read_segment(s, trial) for s in segments):
        return False
    header.published = header.published or trial.published
    header.updated = header.updated or trial.updated
    header.author = header.author or trial.author
    return True


def _is_title(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= MAX_TITLE_CHARS and not stripped.endswith(SENTENCE_END)


def read_header(text: str) -> TextHeader:
    """Split `text` into header fields and the remaining lines.

    The title is the first non-metadata line when it is short and does not end like a
    sentence; it stays in the body (headlines carry claims too, and HTML extraction
    keeps the <h1> in the text as well).
    """
    header = TextHeader()
    seen = 0
    for line in text.splitlines():
        if not line.strip():
            header.body_lines.append(line)
            continue
        seen += 1
        if seen <= HEADER_LINES and _is_metadata_line(line, header):
            continue
        if header.title is None and not any(l.strip() for l in header.body_lines) and _is_title(line):
            header.title = line.strip().lstrip("#").strip()
        header.body_lines.append(line)
    return header
