"""`newsgraph lookup "Trainingskosten DeepSeek"`: the fact groups a question is about.

Two engines, one answer: `lookup` searches the SQLite record (FTS5 + numpy),
`lookup_neo4j` the projected graph (Lucene full-text + vector index). Both go
through `search` below with a backend that only answers narrow questions
(which claims match this boolean query, which are nearest to this vector, what
are these claims' indexed texts and vectors, facts, sources and flags). All
scoring happens here on those answers, so the same data gives the same results.

Scoring (hybrid, reciprocal rank fusion):
1. lexical candidates (`lexical_candidates`): claims matching all query
   concepts, and all claims of each concept that is selective enough; scored by
   `search_text.lexical_scores` (concept coverage x idf over the candidates,
   head fields above the sentence);
2. semantic candidates: the SEMANTIC_K nearest claim embeddings to the query's
   embedding; every candidate is then scored by exact cosine (float32, rounded),
   and ranked semantically only from SEMANTIC_FLOOR up (a near-zero cosine is no
   evidence, and must not outweigh a lexical match);
3. fused score of a claim = sum over the two rankings of weight / (RRF_K + rank);
4. claims are grouped by fact: a fact scores as its best claim (ties broken by
   its next best claims, so a fact many weak matches support never overtakes one
   strong match). Claims no fact holds form their own group (fact_id None).
"""
from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from graph.embeddings import torch_threads
from queries.search_text import QueryPlan, SearchDoc, lexical_scores, load_lexicon, plan_query
from queries.values import describe_value
from queries.vectors import ClaimVectors, exact_scores, open_claim_vectors, vector_state

LEXICAL_K = 200
COMPLETE_SET = 250          # a lexical match set this small is taken whole (see lexical_candidates)
SEMANTIC_K = 50
RRF_K = 60
SEMANTIC_FLOOR = 0.3        # below this cosine a claim is unrelated: no semantic rank at all
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 0.6
TIE_DEPTH = 3               # facts tie-break on their 2nd and 3rd best claims
GROUPED_CLAIMS = 300        # best fused claims looked up for their facts

# embeds the question beside the lexical half of a lookup (threads are started on first use)
_SEMANTIC_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lookup-semantic")


@dataclass
class ClaimHit:
    claim_id: str
    display: str              # normalized value with qualifier, unit and rate, e.g. "≤ 80 %"
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    per: str | None
    span: str
    text: str                 # the sentence
    subject: str | None
    measure: str | None
    measure_key: str | None
    time: str | None
    hedged: bool
    attributed_to: list[str]
    lang: str
    article_id: str
    url: str
    title: str | None
    published: str | None
    source_id: str
    source: str
    score: float = 0.0        # fused score; 0.0 for members that did not match the query


@dataclass
class FlagHit:
    flag_id: str
    kind: str
    severity: str
    reason: str
    claims: list[str]         # the flagged claims (sorted ids)


@dataclass
class FactMeta:
    fact_id: str
    subject: str | None
    measure_key: str | None
    unit: str | None
    verdict: str


@dataclass
class FactResult:
    fact_id: str | None
    score: float
    subject: str | None
    measure_key: str | None
    unit: str | None
    verdict: str
    claims: list[ClaimHit] = field(default_factory=list)
    flags: list[FlagHit] = field(default_factory=list)

    @property
    def sources(self) -> list[tuple[str, str | None]]:
        """(source, published) of every member claim, earliest first, without repeats."""
        return list(dict.fromkeys((c.source, c.published) for c in self.claims))


class SearchBackend(Protocol):
    syntax: str
    def probe(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]: ...
    def lexical_sets(self, expressions: list[str], cap: int, tops: list[int]) -> list[list[SearchDoc]]: ...
    def docs(self, ids: list[str]) -> list[SearchDoc]: ...
    def nearest(self, query: np.ndarray, k: int) -> list[str]: ...
    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]: ...
    def facts_of(self, claim_ids: list[str]) -> dict[str, list[str]]: ...
    def details(self, fact_ids: list[str], claim_ids: list[str]
                ) -> tuple[dict[str, tuple[FactMeta, list[str]]], dict[str, ClaimHit], list[FlagHit]]: ...


# -- public API --------------------------------------------------------------------------------------

class LookupIndex:
    """What the embedded lookup keeps between calls: the claim vectors and the FTS index's freshness.

    Create one per process and pass it to every `lookup`: the vectors are opened
    once (memory-mapped from the record's vector store, see
    queries.vectors.open_claim_vectors), and the record is only re-checked (FTS
    rebuilt, vectors reopened) when SQLite reports that it changed since the last call.
    """

    def __init__(self, conn: sqlite3.Connection, embedder=None):
        self.conn = conn
        self.embedder = embedder
        self.model = embedder_model(embedder) if embedder is not None else None
        self._seen: tuple | None = None
        self._vectors: ClaimVectors | None = None
        self._vectors_state: str | None = None

    def backend(self):
        from queries.claim_embeddings import assign_embedding_keys
        from queries.search_index import ensure_search_index
        from queries.search_sqlite import SqliteBackend

        seen = (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)
        if seen != self._seen:
            ensure_search_index(self.conn)
            if self.model is not None:
                state = vector_state(self.conn, self.model)
                if state.unkeyed and assign_embedding_keys(self.conn, self.model):
                    state = vector_state(self.conn, self.model)
                if state.fingerprint != self._vectors_state:
                    self._vectors = open_claim_vectors(self.conn, self.model, state)
                    self._vectors_state = state.fingerprint
            self._seen = (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)
        return SqliteBackend(self.conn, self._vectors)


def lookup(conn: sqlite3.Connection, text: str, limit: int = 10, embedder=None, *,
           index: LookupIndex | None = None) -> list[FactResult]:
    """Fact groups for `text` from the SQLite record, best first.

    Pass `index` (one LookupIndex per process) when answering many lookups; without
    it this call checks the FTS index and opens the claim vectors itself. A worker
    thread embeds the question while this thread asks FTS5 (torch and SQLite both
    release the GIL), so a lookup waits for max(embedding, lexical half), not their sum.
    """
    index = index or LookupIndex(conn, embedder)
    backend = index.backend()
    if index.embedder is None:
        return search(backend, text, limit, lambda: None)
    pending = _SEMANTIC_WORKERS.submit(embed_query, index.embedder, text)
    try:
        return search(backend, text, limit, pending.result)
    finally:
        wait([pending])


def lookup_neo4j(driver, text: str, limit: int = 10, embedder=None, *,
                 database: str | None = None) -> list[FactResult]:
    """Fact groups for `text` from the Neo4j projection; same results as `lookup` on the same data.

    The semantic half runs beside the lexical half: a worker thread embeds the
    question (torch releases the GIL) and asks the vector index on its own
    session while this thread plans the query and asks the full-text index, so
    a lookup costs max(embedding + vector query, probe + full-text query) plus
    one query for the winning groups, not their sum. Pass the same driver to
    every call: its pooled connections are what keeps a call at a few round
    trips. Notifications off, as a graph without flags or facts would warn
    about their unknown relationship types on every query.
    """
    from queries.search_neo4j import Neo4jBackend, nearest_rows

    def session():
        return driver.session(database=database, default_access_mode="READ",
                              notifications_min_severity="OFF")

    def semantic():
        query_vec = embed_query(embedder, text)
        if query_vec is None:
            return None, []
        with session() as s:
            return query_vec, nearest_rows(s, query_vec, SEMANTIC_K)

    pending = _SEMANTIC_WORKERS.submit(semantic)
    try:
        with session() as s:
            backend = Neo4jBackend(s, with_vectors=embedder is not None,
                                   prefetched_nearest=lambda: pending.result()[1])
            return search(backend, text, limit, lambda: pending.result()[0])
    finally:
        wait([pending])    # never leave the worker running on a driver the caller may close


def embedder_model(embedder) -> str:
    for attr in ("model_name", "model", "name"):
        value = getattr(embedder, attr, None)
        if isinstance(value, str):
            return value
    raise TypeError(f"cannot tell the model name of embedder {embedder!r}")


def embed_query(embedder, text: str) -> np.ndarray | None:
    """The query's embedding (one forward pass), or None without an embedder."""
    if embedder is None:
        return None
    one = getattr(embedder, "encode_one", None)     # graph.embeddings.Embedder: the lean path
    if one is not None:
        return np.asarray(one(text), dtype=np.float32)
    for method in ("embed", "encode"):
        fn = getattr(embedder, method, None)
        if fn is not None:
            # one short question is too small to split across threads (graph.embeddings.batch_threads)
            with torch_threads(1):
                out = np.asarray(fn([text]), dtype=np.float32)
            return out.reshape(out.shape[0], -1)[0] if out.ndim > 1 else out
    raise TypeError(f"embedder {embedder!r} has neither embed() nor encode()")


# -- the shared search -------------------------------------------------------------------------------

def search(backend: SearchBackend, text: str, limit: int, embedding: Callable[[], np.ndarray | None]
           ) -> list[FactResult]:
    """The `limit` best fact groups for `text`.

    `embedding()` gives the question's embedding (None: lexical only); it is
    asked for only after the lexical candidates, so a backend may compute it meanwhile.
    """
    plan = plan_query(text, load_lexicon(), backend.probe)
    scored = score_claims(backend, plan, embedding)
    if not scored:
        return []
    best = sorted(scored, key=lambda c: (-scored[c], c))[:GROUPED_CLAIMS]
    return group_by_fact(backend, {c: scored[c] for c in best}, limit)


def score_claims(backend: SearchBackend, plan: QueryPlan, embedding: Callable[[], np.ndarray | None]
                 ) -> dict[str, float]:
    """Fused score of every candidate claim."""
    docs: dict[str, SearchDoc] = {}
    for d in lexical_candidates(backend, plan):
        docs.setdefault(d.claim_id, d)
    query_vec = embedding()
    semantic_ids = backend.nearest(query_vec, SEMANTIC_K) if query_vec is not None else []
    missing = [i for i in semantic_ids if i not in docs]
    for d in backend.docs(missing):
        docs.setdefault(d.claim_id, d)
    if not docs:
        return {}
    ordered = [docs[i] for i in sorted(docs)]
    lex = lexical_scores(plan, ordered)
    sem = exact_scores(backend.vectors(sorted(docs)), query_vec) if query_vec is not None else {}
    fused = {i: 0.0 for i in docs}
    lex_rank = sorted((i for i in docs if lex.get(i, 0) > 0),
                      key=lambda i: (-lex[i], -sem.get(i, -2.0), i))
    for rank, i in enumerate(lex_rank, start=1):
        fused[i] += LEXICAL_WEIGHT / (RRF_K + rank)
    sem_rank = sorted((i for i in sem if sem[i] >= SEMANTIC_FLOOR),
                      key=lambda i: (-sem[i], -lex.get(i, 0.0), i))
    for rank, i in enumerate(sem_rank, start=1):
        fused[i] += SEMANTIC_WEIGHT / (RRF_K + rank)
    return {i: round(s, 9) for i, s in fused.items() if s > 0}


def lexical_candidates(backend: SearchBackend, plan: QueryPlan) -> list[SearchDoc]:
    """Claims matching all concepts, plus every claim of each selective concept.

    A set is taken whole when it has at most COMPLETE_SET claims, so both
    engines return exactly the same candidates whatever their own ranking. A
    concept matching more claims is too common to recall by itself (it still
    counts in the all-concepts set and in the scoring); only when the
    all-concepts set (or a one-concept query) is that large do the engines'
    own rankings pick its LEXICAL_K best, and results may then differ slightly.
    """
    if not plan.concepts:
        return []
    syntax = backend.syntax
    n = len(plan.concepts)
    expressions = [plan.concept_expression(i, syntax) for i in range(n)]
    if n > 1:
        expressions.insert(0, plan.expression(syntax, "all"))
    # an overfull set contributes its engine's LEXICAL_K best only if it is the
    # all-concepts set (or the only concept)
    tops = [LEXICAL_K] + [0] * (len(expressions) - 1)
    return [d for docs in backend.lexical_sets(expressions, COMPLETE_SET, tops) for d in docs]


def group_by_fact(backend: SearchBackend, scored: dict[str, float], limit: int) -> list[FactResult]:
    facts_of = backend.facts_of(sorted(scored))
    groups: dict[str | None, list[str]] = {}
    for cid in sorted(scored):
        for fid in facts_of.get(cid) or [None]:
            groups.setdefault(fid if fid is not None else f"claim:{cid}", []).append(cid)
    ranked = []
    for key, members in groups.items():
        vals = sorted((scored[c] for c in members), reverse=True)[:TIE_DEPTH]
        ranked.append((vals[0], tuple(-v for v in vals) + (0.0,) * (TIE_DEPTH - len(vals)), key))
    ranked.sort(key=lambda t: (t[1], t[2]))
    top = [(score, key) for score, _, key in ranked[:limit]]
    fact_ids = [k for _, k in top if not k.startswith("claim:")]
    single = sorted(k[len("claim:"):] for _, k in top if k.startswith("claim:"))
    members, claims, flags = backend.details(fact_ids, single)
    results = []
    for score, key in top:
        if key.startswith("claim:"):
            meta, ids = None, [key[len("claim:"):]]
        else:
            meta, ids = members.get(key, (None, []))
        hits = []
        for cid in ids:
            if cid in claims:
                hit = claims[cid]
                hits.append(_with_score(hit, scored.get(cid, 0.0)))
        hits.sort(key=lambda h: (h.published is None, h.published or "", h.source, h.claim_id))
        first = hits[0] if hits else None
        id_set = set(ids)
        results.append(FactResult(
            fact_id=meta.fact_id if meta else None, score=score,
            subject=meta.subject if meta else (first.subject if first else None),
            measure_key=meta.measure_key if meta else (first.measure_key if first else None),
            unit=meta.unit if meta else (first.unit if first else None),
            verdict=meta.verdict if meta else "single",
            claims=hits,
            flags=[f for f in flags if id_set.intersection(f.claims)],
        ))
    return results


def _with_score(hit: ClaimHit, score: float) -> ClaimHit:
    from dataclasses import replace

    return replace(hit, score=score)


def claim_hit(row: dict) -> ClaimHit:
    """A ClaimHit from a row with the same keys in both backends."""
    return ClaimHit(
        claim_id=row["claim_id"],
        display=describe_value(row["value"], row["low"], row["high"], row["qualifier"],
                               row["unit"], row["per"]),
        value=row["value"], low=row["low"], high=row["high"], qualifier=row["qualifier"],
        unit=row["unit"], per=row["per"], span=row["span"], text=row["text"],
        subject=row["subject"], measure=row["measure"], measure_key=row["measure_key"], time=row["time"],
        hedged=bool(row["hedged"]), attributed_to=list(row["attributed_to"] or []),
        lang=row["lang"], article_id=row["article_id"], url=row["url"], title=row["title"],
        published=row["published"], source_id=row["source_id"], source=row["source"],
    )
