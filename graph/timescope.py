"""The time a claim is about, as a key that is the same across languages and phrasings.

"jetzt" / "derzeit" / "now" -> "now"; "früher" / "damals" / "down from" -> "past";
"Ende 2024" / "by the end of 2024" -> "2024"; "im vergangenen Jahr" in a 2025
article -> "2024". Phrases we cannot place ("an einem Tag", "in vier Jahren")
get no key, so they are compared like claims that state no time: a wrong key
would turn a contradiction into a harmless "change over time".
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.rates import parse_day

_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2}|21\d{2})\b")


@dataclass(frozen=True)
class TimeWords:
    phrases: tuple[tuple[re.Pattern, str], ...]      # longest first: (pattern, "now"/"past")
    relative_years: tuple[tuple[re.Pattern, int], ...]
    ignore_keys: frozenset[str] = frozenset()
    ignore_prefixes: tuple[str, ...] = ()
    key_synonyms: tuple[tuple[str, str], ...] = ()
    key_relative_years: tuple[tuple[str, int], ...] = ()


def _pattern(phrase: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(phrase.casefold()) + r"(?!\w)")


@lru_cache(maxsize=8)
def load_time_words(path: str | Path) -> TimeWords:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    phrases = [(p, key) for key in ("now", "past") for p in raw.get(key, [])]
    phrases.sort(key=lambda x: -len(x[0]))
    rel = sorted(raw.get("relative_years", {}).items(), key=lambda x: -len(x[0]))
    nlp = raw.get("nlp_keys", {})
    return TimeWords(tuple((_pattern(p), k) for p, k in phrases),
                     tuple((_pattern(p), int(d)) for p, d in rel),
                     frozenset(nlp.get("ignore", [])), tuple(nlp.get("ignore_prefixes", [])),
                     tuple(nlp.get("synonyms", {}).items()),
                     tuple((k, int(v)) for k, v in nlp.get("relative_years", {}).items()))


def normalize_key(key: str, published: str | None, words: TimeWords) -> str | None:
    """An NLP time key as a comparable scope: durations dropped, relative years resolved."""
    if key in words.ignore_keys or key.startswith(words.ignore_prefixes):
        return None
    key = dict(words.key_synonyms).get(key, key)
    delta = dict(words.key_relative_years).get(key)
    if delta is not None:
        day = parse_day(published)
        return str(day.year + delta) if day else None
    return key


def time_scope(time: str | None, time_key: str | None, published: str | None,
               words: TimeWords) -> str | None:
    """The claim's time key: the NLP stage's `time_key` when it set one, else derived from `time`."""
    if time_key:
        return normalize_key(time_key, published, words)
    if not time:
        return None
    text = time.casefold()
    years = sorted(set(_YEAR.findall(text)))
    if years:
        return "-".join(years)
    day = parse_day(published)
    for pattern, delta in words.relative_years:
        if pattern.search(text):
            return str(day.year + delta) if day else None
    for pattern, key in words.phrases:
        if pattern.search(text):
            return key
    return None


_SCOPE_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2}|21\d{2})(?!\d)")
_DECADE = re.compile(r"\d{4}s")


def ends_before(scope: str | None, stated_in: str | None, published: str | None) -> bool:
    """Whether a time scope (stated in an article published `stated_in`) is over by `published`.

    Why: a claim that states no time describes the moment its article appeared.
    "Im Jahr 2023 ... 4,2 Mrd." beside an undated "5,8 Mrd." of 2025 reports
    an earlier value, not a contradiction. Only scopes surely over count:
    "past" ("früher", "down from") ends when its own article appeared; a year,
    quarter or range ends with its last year; a fiscal year ("FY2024") may run
    into the next calendar year; open ends ("2024..", "now") never end.
    """
    if not scope or scope.endswith(".."):
        return False
    if scope == "past":
        said, day = parse_day(stated_in), parse_day(published)
        return bool(said and day and said <= day)
    years, day = _scope_years(scope), parse_day(published)
    if not years or day is None:
        return False
    last = max(years) + (9 if _DECADE.search(scope) else 0) + (1 if scope.startswith("FY") else 0)
    return last < day.year


def excludes(scope: str | None, stated_in: str | None, published: str | None) -> bool:
    """Whether a time scope surely does not hold the day `published`: over by then
    (`ends_before`), or not begun ("2027", "2030.." against a claim of 2025).

    A fiscal year may begin in the calendar year before; open starts ("..2029") always hold it.
    """
    if ends_before(scope, stated_in, published):
        return True
    if not scope or scope.startswith("..") or scope in ("past", "now"):
        return False
    years, day = _scope_years(scope), parse_day(published)
    if not years or day is None:
        return False
    return min(years) - (1 if scope.startswith("FY") else 0) > day.year


def _scope_years(scope: str) -> list[int]:
    return [int(y) for y in _SCOPE_YEAR.findall(scope)]


def names_a_year(scope: str | None) -> bool:
    """Whether a scope is placed on the calendar ("2023", "2024-Q3", "1989..1997"), not only
    relative to some moment ("past" from "zuvor", "damals": the story's moment, not the day
    the article appeared)."""
    return bool(scope and _scope_years(scope))


def may_coincide(a: str | None, b: str | None) -> bool:
    """Whether two different stated times may hold one moment, so that two values stated for them
    are not a change over time.

    Why: a change needs two times that do not overlap. "seit 1985" ("1985..") runs until the
    article's day, so it holds "derzeit"/"now" and any year from 1985 on; the vague "past"
    ("zuvor", "damals") is relative to a moment of the story and cannot be set before or
    after a year, so only "now" is surely another time than it. Everything else we can
    place (two years, a year and "now") is read as different.
    """
    if a == b:
        return True
    if not a or not b:
        return False
    if "past" in (a, b):
        return "now" not in (a, b)
    for open_, other in ((a, b), (b, a)):
        start = _open_start(open_)
        if start is None:
            continue
        if other == "now" or other.endswith(".."):
            return True
        years = _scope_years(other)
        if years and max(years) >= start:
            return True
    return False


def _open_start(scope: str) -> int | None:
    """The first year of a range open towards now ("1985..", "2020-start.."), else None."""
    if not scope.endswith("..") or scope.startswith(".."):
        return None
    years = _scope_years(scope)
    return min(years) if years else None
