"""References an article makes to other sources, and its disclosure of AI generation.

Three kinds of `Citation` (see nlp.types): "source_line" for "Quelle: ..." /
"Source: ..." lines (target: the URL's domain, else the named outlet), "link"
for other outlets' URLs written in the text (target: domain), "attribution"
for outlets and people the text reports from (made in `nlp.claims` from the
attribution of each sentence). Image credits ("Bildquelle:", "Foto:") are no
sources. Labels and cues are in `data/citations/<lang>.json`.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from nlp.config import DEFAULT_DATA_DIR
from nlp.regex_trie import trie_pattern
from nlp.resources import lang_file, read_json
from nlp.types import Citation

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]", re.IGNORECASE)
_SPLIT_SOURCES = re.compile(r"\s*(?:[,/|]|\s(?:und|and|sowie)\s)\s*")


@dataclass(frozen=True)
class CitationRules:
    source_line: re.Pattern
    source_inline: re.Pattern
    ai_cues: tuple[tuple[re.Pattern, int], ...]
    ai_trigger: re.Pattern | None


@lru_cache(maxsize=32)
def load_citation_rules(data_dir: str, lang: str) -> CitationRules | None:
    path = lang_file(Path(data_dir), "citations", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    labels = "|".join(re.escape(x) for x in sorted(data.get("source_labels", []), key=len, reverse=True))
    return CitationRules(
        source_line=re.compile(rf"^[^\w\n]{{0,4}}[ \t]*(?:{labels})[ \t]*:[ \t]*(?P<rest>\S[^\n]*?)[ \t]*$",
                               re.IGNORECASE | re.MULTILINE),
        source_inline=re.compile(rf"\((?:{labels})[ \t]*:[ \t]*(?P<rest>[^)\n]+)\)", re.IGNORECASE),
        ai_cues=tuple((re.compile(c["regex"], re.IGNORECASE), int(c.get("weight", 1)))
                      for c in data.get("ai_disclosure", [])),
        ai_trigger=re.compile(trie_pattern(w.lower() for w in data["ai_triggers"]))
        if data.get("ai_triggers") else None,
    )


def domain_of(url: str) -> str:
    """"https://www.Example.com/x" -> "example.com"."""
    if not re.match(r"[a-z]+://", url, re.IGNORECASE):
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def find_source_lines(text: str, rules: CitationRules | None) -> list[Citation]:
    """"Quelle: X" lines and "(Quelle: X)" notes, one citation per named source."""
    if rules is None:
        return []
    out = []
    for rx in (rules.source_line, rules.source_inline):
        for m in rx.finditer(text):
            rest = m.group("rest").strip()
            urls = list(_URL.finditer(rest))
            if urls:
                for u in urls:
                    out.append(Citation("source_line", domain_of(u.group()), m.group().strip(), m.start()))
                continue
            # "A; B, C" lists with semicolons keep commas inside items ("January 21, 2025")
            names = re.split(r"\s*;\s*", rest) if ";" in rest else _SPLIT_SOURCES.split(rest)
            for name in names:
                name = name.strip(" .:-–\"'„“”©")
                if name:
                    out.append(Citation("source_line", name, m.group().strip(), m.start()))
    return out


def find_links(text: str, skip: list[tuple[int, int]] = ()) -> list[Citation]:
    """URLs named in the text (outside `skip` spans, e.g. source lines)."""
    out = []
    for m in _URL.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        domain = domain_of(m.group())
        if domain:
            out.append(Citation("link", domain, m.group(), m.start()))
    return out


def find_ai_disclosure_in(text: str, sentences: list[tuple[int, int]], rules: CitationRules | None) -> str | None:
    """The sentence (given as spans of `text`) that discloses AI generation most explicitly, if any.

    Each cue scans the whole text once; a hit is credited to the sentence it starts in.
    """
    if rules is None or not sentences:
        return None
    if rules.ai_trigger is not None and not rules.ai_trigger.search(text.lower()):
        return None
    starts = [s for s, _ in sentences]
    best: tuple[int, int] | None = None      # (-weight, sentence index)
    for rx, weight in rules.ai_cues:
        for m in rx.finditer(text):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.start() < sentences[i][1] and (best is None or (-weight, i) < best):
                best = (-weight, i)
    if best is None:
        return None
    s, e = sentences[best[1]]
    return text[s:e]


def find_ai_disclosure(text: str, lang: str, data_dir: Path | None = None) -> str | None:
    """Convenience over plain text: split into sentences, then `find_ai_disclosure_in`."""
    from nlp.sentences import load_rules, split_sentences

    folder = str(data_dir or DEFAULT_DATA_DIR)
    spans = split_sentences(text, load_rules(folder, lang))
    return find_ai_disclosure_in(text, spans, load_citation_rules(folder, lang))


def source_citations(text: str, rules: CitationRules | None) -> list[Citation]:
    """Source lines plus the links outside them, in text order."""
    lines = find_source_lines(text, rules)
    line_spans = [(c.start, c.start + len(c.text) + 2) for c in lines]
    return sorted(lines + find_links(text, line_spans), key=lambda c: c.start)
