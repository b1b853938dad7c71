"""The lookup's Neo4j backend: full-text index `claim_search`, vector index `claim_embedding`.

Same narrow questions as the SQLite backend (queries.search_sqlite), answered
from the projected graph in few round trips: a vocabulary probe (only for
compound words), one full-text query, one vector query (run beside them, see
queries.lookup.lookup_neo4j) and one for the winning groups. The full-text index covers the
claims' pre-normalized `search_head`/`search_body` with a whitespace analyzer,
so a boolean prefix query matches exactly the claims FTS5 matches.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from queries.lookup import ClaimHit, FactMeta, FlagHit, claim_hit
from queries.search_text import SearchDoc

SEARCH_INDEX = "claim_search"
VECTOR_INDEX = "claim_embedding"

# Compound splits the index knows (queries.search_text.VocabProbe), in one round trip: the
# heads as exact terms first, then as prefixes only the tails of the heads found.
PROBE = """
CALL () {
  UNWIND $heads AS h
  CALL (h) {
    CALL db.index.fulltext.queryNodes($index, h, {limit: 1}) YIELD node
    RETURN count(node) AS n
  }
  WITH h WHERE n > 0
  RETURN collect(h) AS heads
}
CALL (heads) {
  UNWIND [p IN $pairs WHERE p[0] IN heads | p[1]] AS t
  WITH DISTINCT t
  CALL (t) {
    CALL db.index.fulltext.queryNodes($index, t + '*', {limit: 1}) YIELD node
    RETURN count(node) AS n
  }
  WITH t WHERE n > 0
  RETURN collect(t) AS tails
}
RETURN heads, tails
"""

# Every expression's matches (all, or the `tops[i]` best when more than $cap match), then the
# texts, vectors and facts of the distinct claims among them: the whole lexical half in one
# round trip, and an overfull set's texts never leave the server.
LEXICAL_SETS = """
UNWIND range(0, size($queries) - 1) AS i
CALL (i) {
  CALL db.index.fulltext.queryNodes($index, $queries[i], {limit: $cap + 1}) YIELD node
  WITH collect(node) AS nodes
  RETURN CASE WHEN size(nodes) > $cap THEN nodes[0..$tops[i]] ELSE nodes END AS picked
}
WITH collect([i, [n IN picked | n.id]]) AS sets, collect(picked) AS picks
CALL (picks) {
  UNWIND picks AS pick
  UNWIND pick AS n
  WITH DISTINCT n
  RETURN collect([n.id, n.search_head, n.search_body, CASE WHEN $vectors THEN n.embedding_f32 END,
                  COLLECT { MATCH (n)-[:PART_OF]->(f:Fact) RETURN f.id AS fid ORDER BY fid }]) AS docs
}
RETURN sets, docs
"""

DOCS = """
UNWIND $ids AS id MATCH (c:Claim {id: id})
RETURN c.id AS id, c.search_head AS head, c.search_body AS body
"""

NEAREST = """
CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score
RETURN node.id AS id, score, node.search_head AS head, node.search_body AS body, node.embedding_f32 AS raw,
       COLLECT { MATCH (node)-[:PART_OF]->(f:Fact) RETURN f.id AS fid ORDER BY fid } AS facts
"""

VECTORS = """
UNWIND $ids AS id MATCH (c:Claim {id: id})
RETURN c.id AS id, c.embedding_f32 AS raw,
       COLLECT { MATCH (c)-[:PART_OF]->(f:Fact) RETURN f.id AS fid ORDER BY fid } AS facts
"""

FACTS_OF = """
UNWIND $ids AS id MATCH (c:Claim {id: id})-[:PART_OF]->(f:Fact)
RETURN c.id AS claim_id, f.id AS fact_id ORDER BY claim_id, fact_id
"""

CLAIM_FIELDS = """{claim_id: c.id, value: c.value, low: c.low, high: c.high, qualifier: c.qualifier,
        unit: c.unit, per: c.per, span: c.span, text: c.text, subject: c.subject, measure: c.measure,
        measure_key: c.measure_key, time: c.time, hedged: c.hedged, attributed_to: c.attributed_to,
        lang: c.lang, article_id: a.id, url: a.url, title: a.title, published: a.published,
        source_id: s.id, source: s.name,
        flags: COLLECT { MATCH (fl:Flag)-[:FLAGS]->(c)
                         RETURN {id: fl.id, kind: fl.kind, severity: fl.severity, reason: fl.reason,
                                 claims: COLLECT { MATCH (fl)-[:FLAGS]->(x:Claim) RETURN x.id AS xid
                                                   ORDER BY xid }} AS flag ORDER BY flag.id }}"""

# The winning groups in one round trip: each fact with its member ids and every member's
# details and flags, and the details and flags of the claims no fact holds.
DETAILS = """
CALL () {
  UNWIND $fact_ids AS id MATCH (f:Fact {id: id})
  CALL (f) {
    OPTIONAL MATCH (c:Claim)-[:PART_OF]->(f)
    WITH c ORDER BY c.id
    RETURN collect(c.id) AS member_ids
  }
  CALL (f) {
    MATCH (c:Claim)-[:PART_OF]->(f)
    MATCH (c)-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
    RETURN collect(""" + CLAIM_FIELDS + """) AS members
  }
  RETURN collect({id: f.id, subject: f.subject, measure_key: f.measure_key, unit: f.unit,
                  verdict: f.verdict, member_ids: member_ids, members: members}) AS facts
}
CALL () {
  UNWIND $claim_ids AS id
  MATCH (c:Claim {id: id})-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
  RETURN collect(""" + CLAIM_FIELDS + """) AS claims
}
RETURN facts, claims
"""


def nearest_rows(session, query: np.ndarray, k: int) -> list[dict]:
    """The vector index's `k` nearest claims with their texts, vectors and facts ([] when the
    graph has no embeddings of this dimension: the lookup is then lexical only)."""
    vector = [float(x) for x in np.asarray(query, dtype=np.float32)]
    try:
        return _read(session, NEAREST, index=VECTOR_INDEX, k=k, vector=vector)
    except Exception as exc:
        if "dimension" in str(exc).lower() or "no such vector" in str(exc).lower():
            return []
        raise


def _read(session, cypher: str, /, **params) -> list[dict]:
    # Auto-commit queries: RUN and PULL travel together, one round trip each, where a
    # managed transaction adds BEGIN/COMMIT and a session per query more.
    # Records as plain dicts, not Record.data(): data() walks byte arrays byte by byte
    # (1 s instead of 10 ms for 250 embeddings).
    result = session.run(cypher, params)
    keys = result.keys()
    return [dict(zip(keys, record.values())) for record in result]


class Neo4jBackend:
    """The narrow questions of queries.lookup.SearchBackend, in as few round trips as possible:
    the full-text and vector queries bring each candidate's text, vector and facts along,
    so `docs`, `vectors` and `facts_of` are answered from what they returned."""

    syntax = "lucene"

    def __init__(self, session, with_vectors: bool = True,
                 prefetched_nearest: Callable[[], list[dict]] | None = None):
        """`session`: a neo4j Session for this lookup's queries; `with_vectors`: whether candidates'
        vectors are needed (not for a lexical-only lookup); `prefetched_nearest`: the NEAREST rows
        of the question, run elsewhere (see queries.lookup.lookup_neo4j)."""
        self.session = session
        self.with_vectors = with_vectors
        self.prefetched_nearest = prefetched_nearest
        self._seen: dict[str, SearchDoc] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._facts: dict[str, list[str]] = {}
        self._claims: dict[str, ClaimHit] = {}
        self._flags: dict[str, list[FlagHit]] = {}

    def _read(self, cypher: str, /, **params) -> list[dict]:
        return _read(self.session, cypher, **params)

    def _keep(self, cid: str, head: str | None, body: str | None, raw, facts) -> SearchDoc:
        doc = self._seen[cid] = SearchDoc(cid, head or "", body or "")
        if raw is not None:
            self._vectors[cid] = np.frombuffer(bytes(raw), dtype="<f4")
        self._facts[cid] = list(facts)
        return doc

    def probe(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        if not pairs:
            return set()
        (row,) = self._read(PROBE, heads=sorted({h for h, _ in pairs}), pairs=[list(p) for p in sorted(pairs)],
                            index=SEARCH_INDEX)
        heads, tails = set(row["heads"]), set(row["tails"])
        return {(h, t) for h, t in pairs if h in heads and t in tails}

    def lexical_sets(self, expressions: list[str], cap: int, tops: list[int]) -> list[list[SearchDoc]]:
        """Each expression's matches: all of them, or its `tops[i]` best by Lucene's score when
        more than `cap` match (the first of the score-ordered cap + 1, as a limit-k query gives)."""
        if not expressions:
            return []
        (row,) = self._read(LEXICAL_SETS, index=SEARCH_INDEX, queries=list(expressions), cap=cap,
                            tops=list(tops), vectors=self.with_vectors)
        for cid, head, body, raw, facts in row["docs"]:
            self._keep(cid, head, body, raw, facts)
        by_query = dict((i, ids) for i, ids in row["sets"])
        return [[self._seen[c] for c in by_query.get(i, [])] for i in range(len(expressions))]

    def docs(self, ids: list[str]) -> list[SearchDoc]:
        rest = [i for i in ids if i not in self._seen]
        for r in (self._read(DOCS, ids=rest) if rest else []):
            self._seen[r["id"]] = SearchDoc(r["id"], r["head"] or "", r["body"] or "")
        return [self._seen[i] for i in ids if i in self._seen]

    def nearest(self, query: np.ndarray, k: int) -> list[str]:
        rows = self.prefetched_nearest() if self.prefetched_nearest else nearest_rows(self.session, query, k)
        rows = sorted(rows, key=lambda r: (-r["score"], r["id"]))
        for r in rows:
            self._keep(r["id"], r["head"], r["body"], r["raw"], r["facts"])
        return [r["id"] for r in rows]

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Exact float32 vectors (those the candidate queries did not bring are read now)."""
        rest = [i for i in ids if i not in self._vectors]
        for r in (self._read(VECTORS, ids=rest) if rest else []):
            self._facts[r["id"]] = list(r["facts"])
            if r["raw"] is not None:
                self._vectors[r["id"]] = np.frombuffer(bytes(r["raw"]), dtype="<f4")
        return {i: self._vectors[i] for i in ids if i in self._vectors}

    def facts_of(self, claim_ids: list[str]) -> dict[str, list[str]]:
        missing = [c for c in claim_ids if c not in self._facts]
        if missing:
            for c in missing:
                self._facts[c] = []
            for r in self._read(FACTS_OF, ids=missing):
                self._facts[r["claim_id"]].append(r["fact_id"])
        return {c: self._facts[c] for c in claim_ids if self._facts[c]}

    def details(self, fact_ids: list[str], claim_ids: list[str]
                ) -> tuple[dict[str, tuple[FactMeta, list[str]]], dict[str, ClaimHit], list[FlagHit]]:
        """The facts with their member ids, and the details and flags of those members and `claim_ids`."""
        members: dict[str, tuple[FactMeta, list[str]]] = {}
        if fact_ids or claim_ids:
            (row,) = self._read(DETAILS, fact_ids=list(fact_ids), claim_ids=list(claim_ids))
            for f in row["facts"]:
                for m in f["members"]:
                    self._remember(m)
                members[f["id"]] = (FactMeta(f["id"], f["subject"], f["measure_key"], f["unit"], f["verdict"]),
                                    list(f["member_ids"]))
            for c in row["claims"]:
                self._remember(c)
        wanted = set(claim_ids).union(*(ids for _, ids in members.values()))
        claims = {c: self._claims[c] for c in sorted(wanted) if c in self._claims}
        found = {f.flag_id: f for c in wanted for f in self._flags.get(c, ())}
        return members, claims, sorted(found.values(), key=lambda f: (f.kind, f.flag_id))

    def _remember(self, row: dict) -> None:
        self._claims[row["claim_id"]] = claim_hit(row)
        self._flags[row["claim_id"]] = [
            FlagHit(f["id"], f["kind"], f["severity"], f["reason"], list(f["claims"])) for f in row["flags"]]
