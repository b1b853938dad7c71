"""Near-identical passages across outlets, and which article copied which.

Texts are compared as overlapping runs of words ("shingles", 5 words, case and
punctuation ignored), so a copied paragraph is found even with a changed word
or two, and a short common phrase is not. Candidates come from a sample of
each article's shingle hashes (1 in `fingerprint_mod`, the same sample in every
article: hash mod m == 0) kept in an inverted index, so no article is compared
with all others. Shingles found in very many articles are boilerplate and
ignored. Direction: the later publication copies the earlier one (ingestion
order when dates are missing or equal).
"""
from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from graph.link_config import LinkConfig
from graph.link_types import CopyLink

_WORD = re.compile(r"\w+")


@dataclass
class Shingles:
    """An article's word shingles: hashes by position, and each word's offsets in the text."""

    hashes: list[int]
    offsets: list[tuple[int, int]]
    _set: frozenset[int] | None = None

    @property
    def hash_set(self) -> frozenset[int]:
        if self._set is None:
            self._set = frozenset(self.hashes)
        return self._set

    def fingerprints(self, mod: int) -> set[int]:
        return {h for h in self.hashes if h % mod == 0}


@dataclass(frozen=True)
class ArticleRef:
    """What direction-finding needs about an article."""

    article_id: str
    source: str
    published: str | None
    rank: int            # ingestion order


def shingle(text: str, k: int) -> Shingles:
    words, offsets = [], []
    for m in _WORD.finditer(text):
        words.append(m.group().casefold())
        offsets.append((m.start(), m.end()))
    hashes = [zlib.crc32(" ".join(words[i:i + k]).encode("utf-8")) for i in range(len(words) - k + 1)]
    return Shingles(hashes, offsets)


def compare(copier_text: str, original_text: str, k: int,
            shingles: dict[str, Shingles] | None = None) -> tuple[int, int, float, str]:
    """(shared shingles, longest shared run, share of the copier's shingles, longest shared passage).

    `shingles` caches shingled texts (keyed by text) across calls.
    """
    cache = shingles if shingles is not None else {}
    for t in (copier_text, original_text):
        if t not in cache:
            cache[t] = shingle(t, k)
    a = cache[copier_text]
    b = cache[original_text].hash_set
    if not a.hashes:
        return 0, 0, 0.0, ""
    shared = [h in b for h in a.hashes]
    best_start, best_len, run_start = 0, 0, None
    for i, s in enumerate(shared + [False]):
        if s and run_start is None:
            run_start = i
        elif not s and run_start is not None:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = None
    text = ""
    if best_len:
        start = a.offsets[best_start][0]
        end = a.offsets[best_start + best_len - 1 + k - 1][1]
        text = copier_text[start:end]
    count = sum(shared)
    return count, best_len, count / len(a.hashes), text


def is_copy(shared: int, longest: int, config: LinkConfig) -> bool:
    """A passage of ~16 words in one piece, or much more in pieces (edited copy)."""
    return longest >= config.copy_min_shingles or shared >= 3 * config.copy_min_shingles


def direction(a: ArticleRef, b: ArticleRef) -> tuple[ArticleRef, ArticleRef]:
    """(copier, original): the later publication copies the earlier; else the later ingested."""
    da, db = (a.published or "")[:10], (b.published or "")[:10]
    if da and db and da != db:
        return (a, b) if da > db else (b, a)
    if a.published and b.published and a.published != b.published:
        return (a, b) if a.published > b.published else (b, a)
    return (a, b) if a.rank > b.rank else (b, a)


def candidate_pairs(prints: dict[str, set[int]], index: dict[int, list[str]], targets: list[str],
                    config: LinkConfig) -> list[tuple[str, str]]:
    """Pairs (target, other) sharing at least two sampled shingles that are not boilerplate."""
    pairs = []
    for aid in targets:
        counts: Counter[str] = Counter()
        for h in prints.get(aid, ()):
            holders = index.get(h, ())
            if len(holders) > config.copy_max_df:
                continue
            for other in holders:
                if other != aid:
                    counts[other] += 1
        for other, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[: config.copy_max_candidates]:
            if n >= 2:
                pairs.append((aid, other))
    return pairs


def judge_pair(a: ArticleRef, b: ArticleRef, texts: dict[str, str], config: LinkConfig,
               shingles: dict[str, Shingles] | None = None) -> CopyLink | None:
    """The copy link between two articles of different outlets, if one repeats the other."""
    if a.source == b.source:
        return None
    copier, original = direction(a, b)
    shared, longest, similarity, text = compare(texts[copier.article_id], texts[original.article_id],
                                                config.shingle_words, shingles)
    if not is_copy(shared, longest, config):
        return None
    return CopyLink(article_a=copier.article_id, article_b=original.article_id,
                    similarity=round(similarity, 4), shared_text=text, shared_shingles=shared)


def find_copies(articles: list[tuple[ArticleRef, str]], config: LinkConfig) -> list[CopyLink]:
    """All copy links among articles given as (ref, text), without a record."""
    refs = {ref.article_id: ref for ref, _ in articles}
    texts = {ref.article_id: text for ref, text in articles}
    prints = {aid: shingle(t, config.shingle_words).fingerprints(config.fingerprint_mod)
              for aid, t in texts.items()}
    index: dict[int, list[str]] = defaultdict(list)
    for aid, fp in prints.items():
        for h in fp:
            index[h].append(aid)
    seen: set[frozenset[str]] = set()
    links = []
    cache: dict[str, Shingles] = {}
    for aid, other in candidate_pairs(prints, index, sorted(refs), config):
        key = frozenset((aid, other))
        if key in seen:
            continue
        seen.add(key)
        link = judge_pair(refs[aid], refs[other], texts, config, cache)
        if link:
            links.append(link)
    return sorted(links, key=lambda l: (l.article_a, l.article_b))
