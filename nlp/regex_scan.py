r"""Find the matches of many word-start patterns in one text, trying each only where it can begin.

Why: the time-scope rules are ~60 case-insensitive patterns, each wrapped in
`(?<![\w])(...)`. Python's `re` looks for a pattern by trying it at every
position of the text; it skips ahead to the possible first characters only when
the pattern starts with a case-sensitive literal or class, which a leading
lookbehind or IGNORECASE rules out. Sixty such scans of every sentence with a
quantity were the largest single cost of claim assembly.

`WordStartScanner` lists once the positions a word-start pattern can match at
(not preceded by a word character) and tries there only the patterns whose
first character, read from the pattern's parse tree, can be the character at
that position. Word-start patterns are those that begin with `WORD_START` (or a
lookbehind that also excludes more characters: `(?<![\w\-])`), and those that begin
with `\b` and a word character (entity and attribution cues: "\b(?:laut|gemäß)"),
which `\b` puts at a word start.

Same result as `finditer`: for a pattern that cannot match the empty string,
`finditer` yields the leftmost match starting at or after the end of the
previous one. Every match starts at a listed position with one of the
pattern's first characters, and `pattern.match(text, pos)` is what the scan
tries at `pos` (lookbehinds see the text before `pos`). Patterns this cannot
be shown for (no word-start prefix, possible empty match, first characters not
bounded, ASCII word rules) are run with `finditer`, except those that may start
inside a word but always start with one of a few literal strings (`literal_starts`:
a title in "Konzernchef Li Wei", a compound's last part), when most letters can
begin one of those strings: `finditer` then tries nearly every position of the
text, while `str.find` finds the strings' places directly, and the pattern is
tried there in text order, each search after the end of the previous match, as
`finditer` does.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from re import _constants as sre
from re import _parser

WORD_START = r"(?<![\w])"   # the prefix a pattern must start with to be scanned by positions
_NON_WORD = re.compile(r"\W")
_WORD_CHAR = re.compile(r"\w")
_MAX_RANGE = 0x3000         # longer ranges in a first-character class are not checked char by char
MAX_STARTS = 256            # literal strings a pattern's matches may start with, at most
MIN_START_CHARS = 8         # distinct first characters of those strings from which finding them pays
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
               sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}


class _Unbounded(Exception):
    """The first character of a match cannot be narrowed down."""


def _char(code: int) -> str:
    return "\\U%08x" % code


def _render(op: int, item: object) -> str:
    if op is sre.LITERAL:
        return _char(item)
    if op is sre.RANGE:
        return _char(item[0]) + "-" + _char(item[1])
    return _CATEGORIES[item]


def _is_word(op: int, item: object) -> bool:
    """Is every character of this class item a word character?"""
    if op is sre.LITERAL:
        return bool(_WORD_CHAR.match(chr(item)))
    if op is sre.RANGE:
        low, high = item
        return high - low <= _MAX_RANGE and all(_WORD_CHAR.match(chr(c)) for c in range(low, high + 1))
    return item in (sre.CATEGORY_WORD, sre.CATEGORY_DIGIT)


def _first_items(seq: _parser.SubPattern | list, out: list[tuple[int, object]]) -> bool:
    """Append to `out` class items (op, value) covering the first character of a match of `seq`.

    Returns True if `seq` can match the empty string (then what follows it matters too).
    """
    for op, av in seq:
        if op is sre.LITERAL:
            out.append((op, av))
            return False
        if op is sre.IN:
            for item_op, item in av:
                if item_op in (sre.LITERAL, sre.RANGE) or (item_op is sre.CATEGORY and item in _CATEGORIES):
                    out.append((item_op, item))
                else:                               # negated class and the like
                    raise _Unbounded
            return False
        if op in _ZERO_WIDTH:
            continue                                # consumes nothing; narrows, never widens
        if op is sre.BRANCH:
            empty = False
            for alternative in av[1]:
                empty |= _first_items(alternative, out)
            if not empty:
                return False
        elif op is sre.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if (add_flags | del_flags) & sre.SRE_FLAG_IGNORECASE:
                raise _Unbounded                    # the class would need other flags
            if not _first_items(sub, out):
                return False
        elif op in _REPEATS:
            low, _, sub = av
            if not _first_items(sub, out) and low > 0:
                return False
        elif op is sre.ATOMIC_GROUP:
            if not _first_items(av, out):
                return False
        else:                                       # any character, back references, ...
            raise _Unbounded
    return True


def _not_after_word(node: tuple | None) -> bool:
    r"""Is `node` a lookbehind that fails after any word character: `(?<![\w])`, or a class
    holding `\w` and more (`(?<![\w\-])`)? A match then starts where the scan looks."""
    if node is None or node[0] is not sre.ASSERT_NOT or node[1][0] != -1:
        return False
    body = list(node[1][1])
    return (len(body) == 1 and body[0][0] is sre.IN
            and (sre.CATEGORY, sre.CATEGORY_WORD) in body[0][1]
            and all(op is not sre.NEGATE for op, _ in body[0][1]))


def word_start_class(pattern: re.Pattern) -> re.Pattern | None:
    """For a word-start pattern: a one-character class matching every character a match can start with.

    None when `pattern` may match elsewhere than at a word start, can match the
    empty string, or its first characters cannot be bounded.
    """
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        items: list[tuple[int, object]] = []
        if _first_items(parsed, items) or not items:
            return None
    except _Unbounded:
        return None
    flags = parsed.state.flags
    if flags & re.ASCII:
        return None                                 # other word boundaries than the scan's
    first = parsed.data[0] if parsed.data else None
    if not _not_after_word(first):
        if first != (sre.AT, sre.AT_BOUNDARY) or not all(_is_word(op, item) for op, item in items):
            return None                             # "\b" + word character: a word start
    return re.compile("[" + "".join(dict.fromkeys(_render(op, item) for op, item in items)) + "]",
                      flags & re.IGNORECASE)


def _strings(op: int, av: object) -> set[str] | None:
    """The strings one item of a parsed pattern matches, if they are a few literals (else None)."""
    if op is sre.LITERAL:
        return {chr(av)}
    if op is sre.IN:
        return {chr(v) for _, v in av} if len(av) <= 4 and all(o is sre.LITERAL for o, _ in av) else None
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _sequence_strings(sub)
    if op is sre.BRANCH:
        return _union(av[1], _sequence_strings)
    if op in _REPEATS and av[0] == 0 and av[1] == 1:        # x?
        strings = _sequence_strings(av[2])
        return None if strings is None else strings | {""}
    return None


def _sequence_strings(seq: _parser.SubPattern | list) -> set[str] | None:
    found = {""}
    for op, av in seq:
        strings = _strings(op, av)
        if strings is None:
            return None
        found = {a + b for a in found for b in strings}
        if len(found) > MAX_STARTS:
            return None
    return found


def _starts(seq: _parser.SubPattern | list) -> set[str] | None:
    """Non-empty literal strings one of which every match of `seq` starts with, or None."""
    items = list(seq)
    first = 0
    while first < len(items) and items[first][0] in _ZERO_WIDTH:
        first += 1                                  # lookbehinds and the like consume nothing
    if first == len(items):
        return None
    prefixes = {""}
    for op, av in items[first:]:                    # the longest run of items that are literals
        strings = _strings(op, av)
        if strings is None or "" in strings:
            break
        longer = {a + b for a in prefixes for b in strings}
        if len(longer) > MAX_STARTS:
            break
        prefixes = longer
    if prefixes != {""}:
        return prefixes
    op, av = items[first]
    if op is sre.SUBPATTERN and not (av[1] or av[2]):
        return _starts(av[3])
    if op is sre.BRANCH:
        return _union(av[1], _starts)
    return None


def _union(alternatives: list, strings_of: Callable[[list], set[str] | None]) -> set[str] | None:
    """The strings of all of a branch's alternatives; None when one has none or they are too many."""
    found: set[str] = set()
    for alternative in alternatives:
        strings = strings_of(alternative)
        if strings is None:
            return None
        found |= strings
    return found if len(found) <= MAX_STARTS else None


def literal_starts(pattern: re.Pattern) -> tuple[str, ...] | None:
    """The literal strings every match of `pattern` starts with, when they are few and most of
    them begin with different characters (see the module docstring); None otherwise."""
    if pattern.flags & re.IGNORECASE:
        return None                                 # str.find cannot fold case
    strings = _starts(_parser.parse(pattern.pattern, pattern.flags))
    if not strings or len({s[0] for s in strings}) < MIN_START_CHARS:
        return None
    return tuple(sorted(strings))


def _find_from_starts(pattern: re.Pattern, starts: tuple[str, ...], text: str) -> list[re.Match]:
    """`list(pattern.finditer(text))` for a pattern whose matches all start with one of `starts`."""
    places = set()
    for start in starts:
        at = text.find(start)
        while at >= 0:
            places.add(at)
            at = text.find(start, at + 1)
    found, free = [], 0
    for at in sorted(places):
        if at >= free:
            match = pattern.match(text, at)
            if match is not None:
                found.append(match)
                free = match.end()
    return found


class WordStartScanner:
    """`scan(text)` == `[list(p.finditer(text)) for p in patterns]`, faster for word-start patterns."""

    def __init__(self, patterns: tuple[re.Pattern, ...]) -> None:
        self.patterns = patterns
        self._first = [word_start_class(p) for p in patterns]
        self._starts = [literal_starts(p) if first is None else None for p, first in zip(patterns, self._first)]
        self._by_char: dict[str, tuple[int, ...]] = {}

    def _starting_with(self, ch: str) -> tuple[int, ...]:
        """Indexes of the scanned patterns a match of which can start with `ch`."""
        found = self._by_char.get(ch)
        if found is None:
            found = self._by_char[ch] = tuple(i for i, first in enumerate(self._first)
                                              if first is not None and first.match(ch))
        return found

    def scan(self, text: str) -> list[list[re.Match]]:
        found: list[list[re.Match]] = [
            [] if first is not None else _find_from_starts(p, starts, text) if starts else list(p.finditer(text))
            for p, first, starts in zip(self.patterns, self._first, self._starts)]
        free = [0] * len(self.patterns)             # where each pattern's next match may start
        starts = [0] + [m.end() for m in _NON_WORD.finditer(text)]
        n = len(text)
        for pos in starts:
            if pos >= n:
                break
            for i in self._starting_with(text[pos]):
                if pos >= free[i]:
                    m = self.patterns[i].match(text, pos)
                    if m is not None:
                        found[i].append(m)
                        free[i] = m.end()
        return found
