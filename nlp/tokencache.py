"""Keep spaCy's tokenizer cache working on news text.

spaCy's tokenizer caches the tokens of every whitespace-separated chunk it has
split once, so that a known word costs a hash lookup instead of the prefix,
suffix, infix and URL regexes (~10 µs per chunk for German). But it stops
caching for the rest of a text as soon as any chunk has met a tokenizer
exception (one flag per call; "See #1250" in its tokenizer.pyx), and "\\n" is one:
after an article's first line break nothing is cached, so every word of every
article went through the regexes again (two thirds of the tokenizer's time).

`ChunkCache.warm(text)` tokenizes the chunks of `text` it has not seen before
in calls of their own: those without an exception string inside in one call,
joined by single spaces (no exception can be met there, so spaCy caches every
one of them); the few with one ("z.B.", "China." holds "a.") one by one, so
that only a chunk that really meets an exception stays uncached. Tokenizing
the document afterwards finds the chunks in the cache. The tokens are the
same: a cache entry is exactly what spaCy computed for that chunk, holds only
plain lexemes (spaCy never caches a chunk that met an exception), and is looked
up by the same chunk string.
"""
from __future__ import annotations

import re

from spacy.tokenizer import Tokenizer

from nlp.regex_trie import trie_pattern


class ChunkCache:
    """Fills `tokenizer`'s chunk cache with up to `max_chunks` distinct chunks."""

    def __init__(self, tokenizer: Tokenizer, max_chunks: int) -> None:
        self.tokenizer = tokenizer
        self.max_chunks = max_chunks
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, max_chunks)
        # exceptions with whitespace can never be part of a chunk
        keys = [k for k in tokenizer.rules if k and not any(c.isspace() for c in k)]
        self._exception = re.compile(trie_pattern(keys)).search if keys else None
        self._seen: set[str] = set()

    def warm(self, text: str) -> None:
        """Cache the chunks of `text` (split as spaCy splits: at whitespace) not seen before."""
        if len(self._seen) >= self.max_chunks:
            return                                 # spaCy's cache is full: nothing more is kept
        new = [c for c in dict.fromkeys(text.split()) if c not in self._seen]
        if not new:
            return
        self._seen.update(new)
        plain: list[str] = []
        for chunk in new:
            if self._exception is not None and self._exception(chunk):
                self.tokenizer(chunk)               # alone: only its own exception can keep it out
            else:
                plain.append(chunk)
        if plain:
            self.tokenizer(" ".join(plain))
