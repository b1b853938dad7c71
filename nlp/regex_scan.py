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
bounded, ASCII word rules) are run with `finditer`.
"""
from __future__ import annotations

import re
from re import _constants as sre
from re import _parser

WORD_START = r"(?<![\w])"   # the prefix a pattern must start with to be scanned by positions
_NON_WORD = re.compile(r"\W")
_WORD_CHAR = re.compile(r"\w")
_MAX_RANGE = 0x3000         # longer ranges in a first-character class are not checked char by char
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


class WordStartScanner:
    """`scan(text)` == `[list(p.finditer(text)) for p in patterns]`, faster for word-start patterns."""

    def __init__(self, patterns: tuple[re.Pattern, ...]) -> None:
        self.patterns = patterns
        self._first = [word_start_class(p) for p in patterns]
        self._by_char: dict[str, tuple[int, ...]] = {}

    def _starting_with(self, ch: str) -> tuple[int, ...]:
        """Indexes of the scanned patterns a match of which can start with `ch`."""
        found = self._by_char.get(ch)
        if found is None:
            found = self._by_char[ch] = tuple(i for i, first in enumerate(self._first)
                                              if first is not None and first.match(ch))
        return found

    def scan(self, text: str) -> list[list[re.Match]]:
        found: list[list[re.Match]] = [[] if first is not None else list(p.finditer(text))
                                       for p, first in zip(self.patterns, self._first)]
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
