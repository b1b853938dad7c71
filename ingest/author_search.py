"""A cheap, exact "nothing to find" test in front of trafilatura's author XPaths.

Why: `trafilatura.metadata.extract_author` evaluates five XPath expressions over the
whole page (the author candidates, then the comment, sidebar and figure sections to
ignore); lxml needs ~16 ms a page for them, a quarter of a crawl worker's time beside
the main-text extraction. Every one of those expressions selects an element only if
some attribute value on the page contains one of a few words ("author", "byline",
"comments", …) or the page has an element of a given name. Reading the values of a
few attributes costs well under a millisecond; when none holds a word, the
expression would select nothing, and is not evaluated. Otherwise it runs as it is,
so the result is always the expression's own.

Each `Prefilter` names the expression it stands for by its text (`source`);
`guarded` puts it in front only while the installed trafilatura's expression is
still that text (an upgrade with other expressions just runs them unguarded). The
`re:test` patterns become the words they spell (`words_of`).
tests/test_author_search.py checks the words against the patterns and the
selections against the expressions on edge cases and corpus pages.

Before the author search trafilatura prunes comments, sidebars, figures and the like
from a copy of the page (`AUTHOR_DISCARD_XPATHS`); copying and pruning cost about
as much as the search itself. A `Discard` turns such an expression around: whether
an element would be pruned is read on its ancestors, so the search runs on the page
itself and skips what the copy would not hold. Exact because those expressions
test only an element's own name and attributes.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable

from lxml.etree import XPath

REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}
MAX_WORDS = 64          # words one pattern may spell
LITERAL_CHARS = re.compile(r"[\w -]")


class Unsupported(ValueError):
    """The pattern uses a regex feature that is not a finite set of words."""


@dataclass(frozen=True)
class Prefilter:
    """What a page needs for `source` to select anything: an attribute in `words` whose value
    contains one of its words (or, per `patterns`, one the regex spells), or an element
    named in `elements`."""
    source: str
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    elements: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        needles: dict[str, set[str]] = {a: set(w) for a, w in self.words.items()}
        for attribute, pattern in self.patterns.items():
            needles.setdefault(attribute, set()).update(w for _, w in words_of(pattern))
        object.__setattr__(self, "_checks", [(XPath(f"//@{a}", smart_strings=False), tuple(sorted(n)))
                                             for a, n in sorted(needles.items())])
        object.__setattr__(self, "_elements", XPath("|".join(f"//{e}" for e in self.elements))
                           if self.elements else None)

    def may_select(self, tree, values: AttributeValues | None = None) -> bool:
        """`values`: the page's attribute values read so far, shared by the prefilters of one page."""
        if self._elements is not None and self._elements(tree):
            return True
        values = values if values is not None else AttributeValues(tree)
        return any(any(n in values.text(attribute) for n in needles) for attribute, needles in self._checks)


class AttributeValues:
    """A page's attribute values, one per line, each attribute read once (several prefilters
    read `class` and `id`)."""

    def __init__(self, tree) -> None:
        self.tree = tree
        self._texts: dict[str, str] = {}

    def text(self, values: XPath) -> str:
        """The values `values` (an expression `//@name`) selects."""
        text = self._texts.get(values.path)
        if text is None:
            text = self._texts[values.path] = "\n".join(values(self.tree))
        return text


@dataclass(frozen=True)
class Guarded:
    """`expression(tree)`, or [] without evaluating it when `prefilter` says it selects nothing."""
    expression: XPath
    prefilter: Prefilter

    def __call__(self, tree) -> list:
        return self.expression(tree) if self.prefilter.may_select(tree) else []


def selecting(expressions: list[Callable[..., list]], tree) -> list[Callable[..., list]]:
    """The expressions that may select anything in `tree`, in order: a Guarded one whose
    prefilter allows it, as its bare expression (the prefilter has been read), and every other."""
    values = AttributeValues(tree)
    return [x.expression if isinstance(x, Guarded) else x for x in expressions
            if not isinstance(x, Guarded) or x.prefilter.may_select(tree, values)]


def guarded(expressions: list[XPath], prefilters: tuple[Prefilter | None, ...]) -> list[Callable[..., list]]:
    """Each expression behind its prefilter while the prefilter's source is the expression's
    text (whitespace aside); all the expressions as they are when their number changed."""
    if len(expressions) != len(prefilters):
        return list(expressions)
    return [Guarded(x, p) if p is not None and _is_source(x, p.source) else x
            for x, p in zip(expressions, prefilters)]


def _is_source(expression: XPath, source: str) -> bool:
    """Whether the installed trafilatura's `expression` is still `source` (whitespace aside)."""
    return " ".join(expression.path.split()) == " ".join(source.split())


@dataclass(frozen=True)
class Discard:
    """A pruning expression `prefix + name + predicates | ...`, turned around.

    `source` is the expression (`steps` joined); pruning a copy of `root` with it
    removes every element it selects below the copy's root, with all inside it.
    `within(element, root)` is true when the element would be removed (it or an
    ancestor below `root` is selected); `inside(element)` lists the elements within
    it that would be. Both read only ancestors or descendants, and equal the pruning
    exactly when the predicates test only an element's own name and attributes, as
    trafilatura's author discards do.
    """
    steps: tuple[tuple[str, str], ...]          # (element name or "*", predicates)
    prefix: str = ".//"

    @property
    def source(self) -> str:
        return "|".join(f"{self.prefix}{name}{predicates}" for name, predicates in self.steps)

    def __post_init__(self) -> None:
        below_root = "[count(ancestor::* | $root) = count(ancestor::*)]"      # $root is an ancestor
        object.__setattr__(self, "_within", XPath("boolean(" + "|".join(
            f"ancestor-or-self::{name}{predicates}{below_root}" for name, predicates in self.steps) + ")",
            namespaces=REGEXP_NS))
        object.__setattr__(self, "inside", XPath("|".join(
            f"descendant::{name}{predicates}" for name, predicates in self.steps), namespaces=REGEXP_NS))

    def within(self, element, root) -> bool:
        return self._within(element, root=root)


def turned_around(expressions: list[XPath], discards: tuple[Discard, ...]) -> tuple[Discard, ...] | None:
    """`discards` while their sources are `expressions`' texts (whitespace aside), else None:
    after a trafilatura upgrade with other expressions the caller prunes a copy as trafilatura does."""
    if len(expressions) != len(discards) or any(
            not _is_source(x, d.source) for x, d in zip(expressions, discards)):
        return None
    return discards


def words_of(pattern: str) -> set[tuple[bool, str]]:
    """(anchored at the start, word) pairs such that re.search(pattern, s) holds exactly when
    s contains one of the words (starts with it, if anchored). Raises Unsupported for any
    regex feature beyond `a|b`, a leading `^`, `[Aa]`, `x?` and `(?:a|b)`."""
    branches, end = _alternation(pattern, 0, top=True)
    if end != len(pattern):
        raise Unsupported(f"unbalanced pattern {pattern!r}")
    words = {(anchored, word) for anchored, options in branches for word in options}
    if len(words) > MAX_WORDS or any(not word for _, word in words):
        raise Unsupported(f"pattern {pattern!r} spells too many words, or the empty word")
    return words


def _alternation(pattern: str, pos: int, top: bool) -> tuple[list[tuple[bool, list[str]]], int]:
    """Branches until ')' or the end: (anchored, the branch's words) each."""
    branches = []
    while True:
        anchored = top and pattern.startswith("^", pos)
        pos += anchored
        options, pos = _sequence(pattern, pos)
        branches.append((anchored, options))
        if pos < len(pattern) and pattern[pos] == "|":
            pos += 1
            continue
        return branches, pos


def _sequence(pattern: str, pos: int) -> tuple[list[str], int]:
    """The words one branch spells (the product of its items' choices)."""
    items: list[list[str]] = []
    count = 1
    while pos < len(pattern) and pattern[pos] not in "|)":
        char = pattern[pos]
        if char == "[":
            close = pattern.find("]", pos)
            members = pattern[pos + 1:close] if close > pos else ""
            if not members or "-" in members or not all(LITERAL_CHARS.fullmatch(c) for c in members):
                raise Unsupported(f"character class at {pos} of {pattern!r}")
            choices, pos = list(dict.fromkeys(members)), close + 1
        elif pattern.startswith("(?:", pos):
            branches, pos = _alternation(pattern, pos + 3, top=False)
            if pos >= len(pattern) or pattern[pos] != ")":
                raise Unsupported(f"unclosed group in {pattern!r}")
            choices, pos = [w for _, words in branches for w in words], pos + 1
        elif LITERAL_CHARS.fullmatch(char):
            choices, pos = [char], pos + 1
        else:
            raise Unsupported(f"{char!r} at {pos} of {pattern!r}")
        if pos < len(pattern) and pattern[pos] == "?":
            choices, pos = choices + [""], pos + 1
        items.append(choices)
        count *= len(choices)
        if count > MAX_WORDS:
            raise Unsupported(f"pattern {pattern!r} spells too many words")
    return ["".join(parts) for parts in itertools.product(*items)], pos


# -- for trafilatura.xpaths.AUTHOR_XPATHS and AUTHOR_DISCARD_XPATHS (trafilatura 2.x) -------------------
# An equality @a='v' needs v in the value as much as contains(@a, 'v') does.

AUTHOR_PREFILTERS = (
    Prefilter(
        source="""//*[self::a or self::address or self::div or self::link or self::p or self::span or self::strong][
        @rel='author' or @id='author' or @class='author' or @itemprop='author name' or rel='me' or
        @data-testid='AuthorCard' or @data-testid='AuthorURL' or
        re:test(@class, 'author-?name|AuthorName|authorName')]|//author""",
        words={"rel": ("author",), "id": ("author",), "class": ("author",), "itemprop": ("author name",),
               "data-testid": ("AuthorCard", "AuthorURL")},
        patterns={"class": "author-?name|AuthorName|authorName"},
        elements=("rel", "author"),      # rel='me': a child element <rel>
    ),
    Prefilter(
        source="""//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span][
        @class='byline' or @class='username' or @class='byl' or @class='BBL' or
        contains(@itemprop, 'author') or
        re:test(@id, 'author|zuozhe|bianji|xiaobian') or
        re:test(@class, 'author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name')]""",
        words={"class": ("byline", "username", "byl", "BBL"), "itemprop": ("author",)},
        patterns={"id": "author|zuozhe|bianji|xiaobian",
                  "class": "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"},
    ),
    Prefilter(
        source="""//*[
        contains(@data-component, 'Byline') or contains(@itemprop, 'author') or
        re:test(@id, '[Aa]uthor') or
        re:test(@class, '[Aa]uthor|screenname|writer|[Bb]yline')]""",
        words={"data-component": ("Byline",), "itemprop": ("author",)},
        patterns={"id": "[Aa]uthor", "class": "[Aa]uthor|screenname|writer|[Bb]yline"},
    ),
)

AUTHOR_DISCARDS = (
    Discard(steps=(("*", """[self::a or self::div or self::section or self::span][
        @id='comments' or @class='comments' or @class='title' or @class='date' or
        re:test(@id, '^comments|comment-?list|ProductReviews') or
        re:test(@class, '^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|print|category|meta-date|meta-reviewer') or
        contains(@data-component, 'Figure')]"""),)),
    Discard(steps=(("time", ""), ("figure", "")), prefix="//"),
)
