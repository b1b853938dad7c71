"""The time scope a sentence states for its numbers ("Ende 2024", "seit 2017", "last year").

Two steps, both general:

1. `find_time_expressions` runs the data-driven patterns of
   `data/timescope/<lang>.json` over a sentence. The surface (with its
   preposition: "im März", "bis Ende 2027") is what the claim reports; the
   normalized key ("2024-03"... "..2027-end", "last_year", "now") lets claims be
   compared across languages. Expressions right after a comparison word ("als
   2021", "than in 2019", "Niveau des Vorjahres") are baselines, not scopes.

2. `assign_times` decides which expression scopes which quantity. News sentences
   put the scope either before the numbers it governs ("stieg im Januar um 0,4
   Punkte auf 6,4 Prozent") or at the end of the clause ("fell 27% to £300,000
   in the third quarter"); an expression directly after a baseline value ("von
   120 Mrd. im Jahr 2000", "from £980 million a year earlier") belongs to that
   value only. A clause without its own scope inherits the scope of the clause
   before it, unless a contrastive conjunction ("doch", "while") or a semicolon
   separates them, or the number is itself a baseline ("down from 180,000").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.regex_scan import WORD_START, WordStartScanner
from nlp.regex_trie import trie_pattern
from nlp.resources import DataFileError, lang_file, read_json

_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_TEMPLATE = re.compile(r"\{(-?)([a-z]+\d?)\}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_SEGMENT_BREAK = re.compile(r"\s*(?:[,:](?=\s|$)|[;–—()])\s*|\s+-\s+")
_WORD = re.compile(r"[\w%$€£¥.'’-]+")


@dataclass(frozen=True)
class TimeExpression:
    start: int
    end: int
    text: str
    key: str
    baseline: bool = False
    weak: bool = False      # a duration ("an einem Tag"): yields to a point in time


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern
    key: str
    order: int
    weak: bool


@dataclass(frozen=True)
class TimeRules:
    patterns: tuple[_Pattern, ...]
    tables: dict
    baseline_before: re.Pattern | None
    baseline_after: re.Pattern | None
    attributive: tuple[re.Pattern, re.Pattern] | None
    contrastive: re.Pattern | None
    relative_clause: re.Pattern | None
    trigger: re.Pattern | None
    value_baselines: tuple[tuple[re.Pattern, re.Pattern | None], ...]
    scanner: WordStartScanner   # finds the matches of all `patterns` (same as finditer, faster)


def _expand(pattern: str, placeholders: dict[str, str]) -> str:
    for _ in range(10):
        new = _PLACEHOLDER.sub(lambda m: placeholders.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            return new
        pattern = new
    raise DataFileError(f"time placeholders nest too deep in {pattern[:60]!r}")


def _opt(data: dict, name: str, flags: int = re.IGNORECASE) -> re.Pattern | None:
    return re.compile(data[name], flags) if data.get(name) else None


@lru_cache(maxsize=32)
def load_time_rules(data_dir: str, lang: str) -> TimeRules | None:
    path = lang_file(Path(data_dir), "timescope", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    placeholders = data.get("placeholders", {})
    patterns = []
    for n, row in enumerate(data.get("patterns", [])):
        flags = 0 if row.get("case_sensitive") else re.IGNORECASE
        try:
            rx = re.compile(WORD_START + "(?:" + _expand(row["re"], placeholders) + r")(?![\w])", flags)
        except re.error as exc:
            raise DataFileError(f"{path}: pattern {n + 1} does not compile: {exc}") from exc
        patterns.append(_Pattern(rx, row["key"], n, bool(row.get("weak"))))
    return TimeRules(
        patterns=tuple(patterns),
        tables={k: dict(v) for k, v in data.get("tables", {}).items()},
        baseline_before=_opt(data, "baseline_before"),
        baseline_after=_opt(data, "baseline_after"),
        attributive=(re.compile(data["attributive"]["before"], re.IGNORECASE),
                     re.compile(data["attributive"]["after"])) if data.get("attributive") else None,
        contrastive=_opt(data, "contrastive"),
        relative_clause=_opt(data, "relative_clause", 0),
        trigger=_trigger(data),
        value_baselines=tuple(
            (re.compile(row["before"], re.IGNORECASE),
             re.compile(row["after"], re.IGNORECASE) if row.get("after") else None)
            for row in data.get("value_baselines", [])
        ),
        scanner=WordStartScanner(tuple(p.regex for p in patterns)),
    )


def _trigger(data: dict) -> re.Pattern | None:
    """One cheap scan that every time expression needs to pass (see the data file)."""
    parts = [data["trigger_regex"]] if data.get("trigger_regex") else []
    if data.get("triggers"):
        parts.append(trie_pattern(w.lower() for w in data["triggers"]))
    return re.compile("|".join(parts)) if parts else None


def _lookup(group: str, value: str, tables: dict) -> str:
    table = tables.get(group.rstrip("0123456789"), {})
    norm = " ".join(value.lower().split())
    if norm in table:
        return table[norm]
    parts = re.split(r"\s*(?:bis|to|-|–)\s*", norm)
    if len(parts) > 1:
        return "-".join(table.get(p, p) for p in parts)
    return norm.replace(" ", "_")


def _render(template: str, m: re.Match, tables: dict) -> str:
    groups = m.groupdict()

    def fill(t: re.Match) -> str:
        dash, name = t.group(1), t.group(2)
        if name == "years":
            years = sorted({int(y) for y in _YEAR.findall(m.group(0))})
            if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
                return f"{years[0]}..{years[-1]}"
            return ",".join(map(str, years))
        value = groups.get(name)
        if value is None:
            return ""
        if name == "y2" and len(value) == 2 and groups.get("y1"):
            value = groups["y1"][:2] + value
        if name == "d":
            value = value.zfill(2)
        out = _lookup(name, value, tables)
        return f"-{out}" if dash else out

    return _TEMPLATE.sub(fill, template)


def find_time_expressions(text: str, rules: TimeRules | None) -> list[TimeExpression]:
    """Non-overlapping time expressions in `text`, in text order (longer match wins)."""
    if rules is None:
        return []
    if rules.trigger is not None and not rules.trigger.search(text.lower()):
        return []
    found = []
    for p, matches in zip(rules.patterns, rules.scanner.scan(text)):
        for m in matches:
            if m.end() > m.start():
                found.append((m.end() - m.start(), -p.order, m, p))
    found.sort(key=lambda x: (-x[0], -x[1]))
    taken: list[tuple[int, int]] = []
    out = []
    for _, _, m, p in found:
        s, e = m.start(), m.end()
        if any(s < te and e > ts for ts, te in taken):
            continue
        taken.append((s, e))
        before = text[max(0, s - 40):s]
        baseline = bool(rules.baseline_before and rules.baseline_before.search(before)) or \
            bool(rules.baseline_after and rules.baseline_after.match(text, e)) or \
            bool(rules.attributive and rules.attributive[0].search(before) and rules.attributive[1].match(text, e))
        out.append(TimeExpression(s, e, text[s:e], _render(p.key, m, rules.tables), baseline, p.weak))
    return sorted(out, key=lambda t: t.start)


def _segments(text: str) -> list[tuple[int, int, bool]]:
    """Clause-like pieces (start, end, blocked) where `blocked` says the piece may
    not inherit a scope from the piece before (semicolon or contrastive start)."""
    pieces = []
    pos = 0
    prev_sep = ""
    for m in _SEGMENT_BREAK.finditer(text):
        pieces.append((pos, m.start(), prev_sep))
        prev_sep = m.group().strip()
        pos = m.end()
    pieces.append((pos, len(text), prev_sep))
    return [(s, e, sep == ";") for s, e, sep in pieces]


def _segment_of(pos: int, segments: list[tuple[int, int, bool]]) -> int:
    for i, (s, e, _) in enumerate(segments):
        if pos < e or i == len(segments) - 1:
            return i
    return len(segments) - 1


def _is_value_baseline(text: str, start: int, end: int, rules: TimeRules) -> bool:
    """True for the earlier value of a comparison ("nach 2,5 Mrd.", "from £980 million")."""
    before = text[max(0, start - 30):start]
    for before_rx, after_rx in rules.value_baselines:
        if before_rx.search(before) and (after_rx is None or after_rx.match(text, end)):
            return True
    return False


def assign_times(text: str, expressions: list[TimeExpression], spans: list[tuple[int, int]],
                 rules: TimeRules | None) -> list[TimeExpression | None]:
    """For each quantity span (start, end) in `text`, the expression that scopes it, or None."""
    if rules is None or not expressions:
        return [None] * len(spans)
    scopes = [t for t in expressions if not t.baseline]
    segments = _segments(text)
    seg_of_q = [_segment_of(s, segments) for s, _ in spans]
    seg_of_t = [_segment_of(t.start, segments) for t in scopes]
    baseline_q = [_is_value_baseline(text, s, e, rules) for s, e in spans]

    # An expression right after a baseline value belongs to that value alone.
    exclusive: dict[int, int] = {}
    for ti, t in enumerate(scopes):
        for qi, (s, e) in enumerate(spans):
            gap = text[e:t.start]
            if baseline_q[qi] and t.start >= e and len(gap) <= 25 and not re.search(r"[,;:()–]", gap) \
                    and len(_WORD.findall(gap)) <= 2:
                exclusive[ti] = qi

    def usable(ti: int, qi: int) -> bool:
        t = scopes[ti]
        s, e = spans[qi]
        if t.start < e and t.end > s:
            return False
        return exclusive.get(ti, qi) == qi

    def in_segment(qi: int, seg: int, inherit: bool) -> TimeExpression | None:
        s, e = spans[qi]
        before = [ti for ti, t in enumerate(scopes) if seg_of_t[ti] == seg and usable(ti, qi)
                  and (inherit or t.end <= s)]
        if not inherit:
            own_before = [ti for ti in before if scopes[ti].end <= s]
            points = [ti for ti in own_before if not scopes[ti].weak]
            if points or own_before:
                return scopes[max(points or own_before, key=lambda ti: scopes[ti].end)]
            for ti, t in enumerate(scopes):
                if seg_of_t[ti] != seg or t.start < e or not usable(ti, qi):
                    continue
                if exclusive.get(ti) == qi:
                    return t
                later = [qj for qj, (s2, _) in enumerate(spans) if qj != qi and s2 >= t.end
                         and seg_of_q[qj] == seg]
                if not later:
                    return t
            return None
        if not before:
            return None
        return scopes[max(before, key=lambda ti: scopes[ti].end)]

    out: list[TimeExpression | None] = []
    for qi in range(len(spans)):
        seg = seg_of_q[qi]
        found = in_segment(qi, seg, inherit=False)
        if found is None and not baseline_q[qi]:
            k = seg
            while found is None and k > 0 and not segments[k][2] and not _contrastive_start(text, segments[k], rules):
                k -= 1
                if rules.relative_clause is not None and rules.relative_clause.match(text, segments[k][0]):
                    continue   # "..., which was valued at $3 billion last year, ..." keeps its time
                found = in_segment(qi, k, inherit=True)
        out.append(found)
    return out


def _contrastive_start(text: str, segment: tuple[int, int, bool], rules: TimeRules) -> bool:
    return bool(rules.contrastive and rules.contrastive.match(text, segment[0]))
