"""A regex alternation of many literal words, factored into a prefix tree.

Python's `re` tries the branches of "(?:abbau|absatz|aktie|...)" one by one at
every position; hundreds of cue words make that the slowest part of a pass.
Factoring common prefixes ("a(?:b(?:bau|satz)|ktie)") lets the engine follow
one branch per position, which is many times faster and matches the same set
(longest word first at each position, as a sorted alternation would).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regex matching exactly `words`, preferring longer matches."""
    trie: dict = {}
    for word in set(words):
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = True
    return _render(trie) or "(?!)"


def _render(node: dict) -> str:
    ends_here = _END in node
    branches = []
    for ch in sorted(k for k in node if k != _END):
        branches.append(re.escape(ch) + _render(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        # "aktie" and "aktien": try the longer continuation first, else stop here
        body = "(?:" + body + ")?"
    return body
