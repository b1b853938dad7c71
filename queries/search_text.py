"""The text side of `lookup`: what a claim is searchable by, and what a query asks for.

Why this is its own module: the embedded lookup (SQLite FTS5) and the Neo4j
lookup (Lucene full-text index) must return the same results for the same
data. So neither engine's analyzer or scoring is trusted: both index the same
pre-normalized token strings built here (`claim_search_fields`), both are asked
the same boolean prefix query built here (`QueryPlan.expression`), and the
lexical score of every candidate is computed here (`lexical_scores`). The
engines only decide WHICH claims are candidates.

Normalization: lowercase, diacritics removed ("Kapazität" -> "kapazitat"),
split on anything that is not a letter or digit. A query word becomes a
*concept*: its light stem as a prefix ("Kosten" -> kost*), its de/en synonyms
("cost*", "gekostet*"), its compound parts when the index knows them
("Trainingskosten" -> training* AND kost*) and the measure keys the NLP's
measure cues give it ("Trainingskosten", "training cost" -> training_cost), matched
through a key token every claim carries in its head ("mkeytrainingcost").
"""
from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from nlp.config import DEFAULT_DATA_DIR as NLP_DATA   # the NLP's stopwords and measure cues

DATA_FILE = Path(__file__).resolve().parent / "data" / "search_terms.json"

_TOKEN = re.compile(r"[^\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Credit of a concept by how it matched: the query word itself, a synonym, its
# compound parts or the measure it names; and by where: the claim's head
# (subject, measure, entities) counts more than its sentence.
ORIGINAL, SYNONYM, COMPOUND, MEASURE = 1.0, 0.9, 0.8, 1.0
HEAD, BODY = 1.0, 0.6


def fold(text: str) -> str:
    """Lowercase without diacritics ("Kapazität" -> "kapazitat"); keeps ß.

    ASCII text (most of it) takes the fast path; otherwise NFKD and the
    combining-diacritics blocks are dropped with one regex (C speed, not per character).
    """
    low = text.lower()
    if low.isascii():
        return low
    return _COMBINING.sub("", unicodedata.normalize("NFKD", low))


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(fold(text)) if text else []


def token_string(*texts: str | None) -> str:
    """Distinct tokens of `texts` in first-seen order, joined by spaces (what both engines index)."""
    seen: dict[str, None] = {}
    for text in texts:
        for tok in tokens(text):
            seen.setdefault(tok, None)
    return " ".join(seen)


def claim_search_fields(*, sentence: str, span: str, subject: str | None, measure: str | None,
                        measure_key: str | None, entity_names: Iterable[str],
                        attributed_to: Iterable[str] = ()) -> tuple[str, str]:
    """(head, body) token strings of one claim.

    head: what the claim is about (subject, measure and its key, entity names and
    aliases); body: the sentence, the quantity's surface and who is quoted.
    """
    key_words = f"{measure_key.replace('_', ' ')} {measure_token(measure_key)}" if measure_key else None
    head = token_string(subject, measure, key_words, *entity_names)
    body = token_string(sentence, span, *attributed_to)
    return head, body


def measure_token(measure_key: str) -> str:
    """The one token that stands for a measure key in the index: training_cost -> mkeytrainingcost."""
    return "mkey" + "".join(tokens(measure_key))


def entity_names_from_json(entities_json: str | None, linked: str | None = None) -> list[str]:
    """Names to index for a claim: its sentence's mentions (text, canonical) plus linked names."""
    names: list[str] = []
    for m in json.loads(entities_json or "[]"):
        names.append(m.get("text") or "")
        if m.get("canonical"):
            names.append(m["canonical"])
    if linked:
        names.append(linked)
    return names


# -- lexicon ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchLexicon:
    stopwords: frozenset[str]
    suffixes: tuple[str, ...]
    min_stem: int
    linking_elements: tuple[str, ...]
    min_part: int
    synonyms: dict[str, tuple[str, ...]]          # stem -> stems of the other words of its groups
    measures: tuple = ()          # the NLP's measure lexicons (nlp.measures.MeasureLexicon), de and en

    def stem(self, word: str) -> str:
        """Strip one inflection suffix, keeping `min_stem` letters (numbers stay as they are)."""
        if not word.isalpha():
            return word
        for suffix in self.suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= self.min_stem:
                return word[: -len(suffix)]
        return word


@lru_cache(maxsize=4)
def load_lexicon(path: str = str(DATA_FILE), nlp_data: str = str(NLP_DATA)) -> SearchLexicon:
    """The query vocabulary: our search_terms.json + the NLP's stopwords and measure names."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    stop = {fold(w) for w in data.get("extra_stopwords", [])}
    for lang in ("de", "en"):
        f = Path(nlp_data) / "stopwords" / f"{lang}.txt"
        if f.is_file():
            for line in f.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    stop.add(fold(line))
    base = SearchLexicon(
        stopwords=frozenset(stop), suffixes=tuple(sorted(data["suffixes"], key=len, reverse=True)),
        min_stem=int(data["min_stem"]), linking_elements=tuple(data["linking_elements"]),
        min_part=int(data["min_compound_part"]), synonyms={},
    )
    synonyms: dict[str, set[str]] = {}
    for group in data.get("synonyms", []):
        stems = {base.stem(fold(w)) for w in group}
        for s in stems:
            synonyms.setdefault(s, set()).update(stems - {s})
    measures = _measure_lexicons(Path(nlp_data))
    return SearchLexicon(
        stopwords=base.stopwords, suffixes=base.suffixes, min_stem=base.min_stem,
        linking_elements=base.linking_elements, min_part=base.min_part,
        synonyms={k: tuple(sorted(v)) for k, v in synonyms.items()}, measures=measures,
    )


def _measure_lexicons(nlp_data: Path) -> tuple:
    """The NLP's cue lexicons (data/measures.json), so a query names measures as claims do."""
    if not (nlp_data / "measures.json").is_file():
        return ()
    from nlp.measures import load_measures

    return tuple(load_measures(str(nlp_data), lang) for lang in ("de", "en"))


# -- query plan -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    term: str
    prefix: bool

    def matches(self, token: str) -> bool:
        return token.startswith(self.term) if self.prefix else token == self.term

    def fts5(self) -> str:
        return f'"{self.term}"*' if self.prefix else f'"{self.term}"'

    def lucene(self) -> str:
        # terms are letters/digits only, so nothing needs escaping
        return f"{self.term}*" if self.prefix else self.term


@dataclass(frozen=True)
class Alternative:
    """One way a concept can match: every slot must match (a slot: any of its patterns)."""

    slots: tuple[tuple[Pattern, ...], ...]
    weight: float


@dataclass(frozen=True)
class Concept:
    word: str
    alternatives: tuple[Alternative, ...]

    def patterns(self) -> set[Pattern]:
        return {p for alt in self.alternatives for slot in alt.slots for p in slot}


@dataclass(frozen=True)
class QueryPlan:
    text: str
    concepts: tuple[Concept, ...]
    measure_keys: tuple[str, ...] = ()

    def expression(self, syntax: str, mode: str) -> str:
        """Boolean query: concepts joined by AND (mode "all") or OR (mode "any").

        `syntax` is "fts5" or "lucene"; the two languages agree on AND/OR and
        parentheses, and differ only in how a (prefix) term is written.
        """
        join = " AND " if mode == "all" else " OR "
        parts = [_concept_expr(c, syntax) for c in self.concepts]
        return join.join(parts)

    def concept_expression(self, index: int, syntax: str) -> str:
        """The boolean query of one concept alone."""
        return _concept_expr(self.concepts[index], syntax)


def _concept_expr(concept: Concept, syntax: str) -> str:
    alts = []
    for alt in concept.alternatives:
        slots = []
        for slot in alt.slots:
            terms = [getattr(p, syntax)() for p in sorted(slot, key=lambda p: (p.term, p.prefix))]
            slots.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
        alts.append(slots[0] if len(slots) == 1 else "(" + " AND ".join(slots) + ")")
    return "(" + " OR ".join(dict.fromkeys(alts)) + ")"


# A vocabulary probe answers, for the engine's index, which of these (head, tail) splits of a
# compound it knows: the head is an indexed term and the tail starts one. Engines look the
# heads up first and only the tails of heads they found (most candidate heads are not words).
VocabProbe = Callable[[set[tuple[str, str]]], set[tuple[str, str]]]


def probe_pairs(pairs: set[tuple[str, str]], has_term: Callable[[str], bool],
                has_prefix: Callable[[str], bool]) -> set[tuple[str, str]]:
    """A `VocabProbe` from two lookups: heads first, then the tails of the heads found."""
    heads = {h for h in sorted({h for h, _ in pairs}) if has_term(h)}
    tails = {t for t in sorted({t for h, t in pairs if h in heads}) if has_prefix(t)}
    return {(h, t) for h, t in pairs if h in heads and t in tails}


def plan_query(text: str, lexicon: SearchLexicon, probe: VocabProbe | None = None) -> QueryPlan:
    """Turn a German or English question into concepts (see module docstring).

    `probe` (the index's vocabulary) is only used to split compounds; without it
    compounds stay whole. The result depends only on the text, the lexicon and
    the indexed vocabulary, so both engines plan the same query.
    """
    spans = _token_spans(text)
    words = [w for _, _, w in spans]
    content = [w for w in words if w not in lexicon.stopwords] or words
    content = list(dict.fromkeys(content))
    splits = _compound_splits(content, lexicon, probe) if probe else {}
    measure_keys = _measure_keys(text, spans, lexicon)
    concepts = []
    for w in content:
        stem = lexicon.stem(w)
        alts = [Alternative(((Pattern(stem, prefix=not w.isdigit()),),), ORIGINAL)]
        syn = lexicon.synonyms.get(stem, ())
        if syn:
            alts.append(Alternative((tuple(Pattern(s, True) for s in syn),), SYNONYM))
        if w in splits:
            parts = splits[w]
            slots = tuple(
                tuple([Pattern(p, True)]
                      + [Pattern(s, True) for s in lexicon.synonyms.get(lexicon.stem(p), ())])
                for p in parts
            )
            alts.append(Alternative(slots, COMPOUND))
        keys = sorted(measure_keys.get(w, ()))
        if keys:
            alts.append(Alternative((tuple(Pattern(measure_token(k), False) for k in keys),), MEASURE))
        concepts.append(Concept(w, tuple(alts)))
    all_keys = tuple(sorted({k for ks in measure_keys.values() for k in ks}))
    return QueryPlan(text=text, concepts=tuple(concepts), measure_keys=all_keys)


def _token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded token) over the lowercased text, so cue offsets map onto tokens."""
    low = text.lower()
    return [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(low)]


def _measure_keys(text: str, spans: list[tuple[int, int, str]], lexicon: SearchLexicon
                  ) -> dict[str, set[str]]:
    """token -> measure keys whose cues occur in it (an entry's context must be in the query)."""
    out: dict[str, set[str]] = {}
    if not lexicon.measures:
        return out
    from nlp.measures import find_cues

    low = text.lower()
    for lex in lexicon.measures:
        for hit in find_cues(text, lex):
            token = next((w for s, e, w in spans if s <= hit.start < e), None)
            if token is None:
                continue
            for entry in lex.cue_entries.get(hit.cue, ()):
                if not _context_ok(entry.context, low):
                    continue
                out.setdefault(token, set()).add(entry.key)
    return out


def _context_ok(context, low: str) -> bool:
    """An entry's required context (a compiled pattern or a list of stems) occurs in the query."""
    if not context:
        return True
    if hasattr(context, "search"):
        return context.search(low) is not None
    return any(c in low for c in context)


def _compound_splits(words: list[str], lexicon: SearchLexicon, probe: VocabProbe
                     ) -> dict[str, tuple[str, str]]:
    """Split German compounds into two parts the index knows: Trainingskosten -> training, kost.

    A split is valid when its head (minus a linking element) is an indexed term
    and the stem of its tail starts an indexed term. Among valid splits the most
    balanced one wins. One probe call per query, for all candidate parts.
    """
    m = lexicon.min_part
    options: dict[str, list[tuple[str, str]]] = {}
    for w in words:
        if not w.isalpha() or len(w) < 2 * m + 1:
            continue
        for i in range(m, len(w) - m + 1):
            left, right = w[:i], w[i:]
            heads = [left] + [left[: -len(le)] for le in lexicon.linking_elements
                              if left.endswith(le) and len(left) - len(le) >= m]
            tail = lexicon.stem(right)
            for h in heads:
                options.setdefault(w, []).append((h, tail))
    if not options:
        return {}
    known = probe({pair for opts in options.values() for pair in opts})
    out = {}
    for w, opts in options.items():
        valid = [pair for pair in opts if pair in known]
        if valid:
            out[w] = max(valid, key=lambda ht: (min(len(ht[0]), len(ht[1])), ht))
    return out


# -- scoring ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchDoc:
    """The indexed text of one candidate claim, as either engine returns it."""

    claim_id: str
    head: str
    body: str


def lexical_scores(plan: QueryPlan, docs: list[SearchDoc]) -> dict[str, float]:
    """Coverage score of each candidate: sum over concepts of credit x idf.

    credit: the best alternative that matches (weight x HEAD or BODY); idf is
    computed over the candidate set itself, so the score depends only on the
    candidates and not on engine statistics. Works on sets of document
    positions (an inverted index of the candidates), not document by document.
    """
    if not docs or not plan.concepts:
        return {d.claim_id: 0.0 for d in docs}
    head_index = _inverted([d.head for d in docs])
    any_index = _inverted([f"{d.head} {d.body}" for d in docs])
    head_vocab, any_vocab = sorted(head_index), sorted(any_index)
    cache: dict[tuple[Pattern, bool], frozenset[int]] = {}

    def docs_matching(p: Pattern, head_only: bool) -> frozenset[int]:
        key = (p, head_only)
        if key not in cache:
            index, vocab = (head_index, head_vocab) if head_only else (any_index, any_vocab)
            cache[key] = frozenset().union(*(index[t] for t in _terms(p, vocab, index)))
        return cache[key]

    def alternative_docs(alt: Alternative, head_only: bool) -> frozenset[int]:
        found: frozenset[int] | None = None
        for slot in alt.slots:
            slot_docs = frozenset().union(*(docs_matching(p, head_only) for p in slot))
            found = slot_docs if found is None else found & slot_docs
            if not found:
                break
        return found or frozenset()

    n = len(docs)
    scores = [0.0] * n
    for concept in plan.concepts:
        credit = [0.0] * n
        for alt in concept.alternatives:
            for head_only, field_weight in ((True, HEAD), (False, BODY)):
                value = alt.weight * field_weight
                for i in alternative_docs(alt, head_only):
                    if value > credit[i]:
                        credit[i] = value
        df = sum(1 for c in credit if c > 0)
        if df:
            idf = math.log(1.0 + n / df)
            for i, c in enumerate(credit):
                if c:
                    scores[i] += c * idf
    return {d.claim_id: round(s, 9) for d, s in zip(docs, scores)}


def _inverted(texts: list[str]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    for i, text in enumerate(texts):
        for tok in text.split():
            index.setdefault(tok, set()).add(i)
    return index


def _terms(p: Pattern, vocab: list[str], index: dict[str, set[int]]) -> list[str]:
    """The candidates' tokens a pattern matches (prefix patterns by a range of the sorted vocabulary)."""
    if not p.prefix:
        return [p.term] if p.term in index else []
    lo = bisect.bisect_left(vocab, p.term)
    hi = bisect.bisect_left(vocab, p.term[:-1] + chr(ord(p.term[-1]) + 1)) if p.term else len(vocab)
    return vocab[lo:hi]
