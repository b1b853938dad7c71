"""The lookup's Neo4j backend: full-text index `claim_search`, vector index `claim_embedding`.

Same narrow questions as the SQLite backend (queries.search_sqlite), answered
from the projected graph in read transactions. The full-text index covers the
claims' pre-normalized `search_head`/`search_body` with a whitespace analyzer,
so a boolean prefix query matches exactly the claims FTS5 matches.
"""
from __future__ import annotations

import numpy as np

from queries.lookup import ClaimHit, FactMeta, FlagHit, claim_hit
from queries.search_text import SearchDoc

SEARCH_INDEX = "claim_search"
VECTOR_INDEX = "claim_embedding"

PROBE = """
UNWIND $terms AS t
CALL (t) {
  CALL db.index.fulltext.queryNodes($index, t.query, {limit: 1}) YIELD node
  RETURN count(node) AS n
}
RETURN t.term AS term, t.kind AS kind, n
"""

LEXICAL = """
CALL db.index.fulltext.queryNodes($index, $query, {limit: $k}) YIELD node, score
RETURN node.id AS id, node.search_head AS head, node.search_body AS body
"""

LEXICAL_SETS = """
UNWIND range(0, size($queries) - 1) AS i
CALL (i) {
  CALL db.index.fulltext.queryNodes($index, $queries[i], {limit: $cap + 1}) YIELD node
  RETURN collect(node) AS nodes
}
RETURN i, CASE WHEN size(nodes) > $cap THEN null
              ELSE [n IN nodes | [n.id, n.search_head, n.search_body]] END AS docs
"""

DOCS = """
UNWIND $ids AS id MATCH (c:Claim {id: id})
RETURN c.id AS id, c.search_head AS head, c.search_body AS body
"""

NEAREST = """
CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score
RETURN node.id AS id, score, node.search_head AS head, node.search_body AS body
"""

VECTORS = """
UNWIND $ids AS id MATCH (c:Claim {id: id}) WHERE c.embedding_f32 IS NOT NULL
RETURN c.id AS id, c.embedding_f32 AS raw
"""

FACTS_OF = """
UNWIND $ids AS id MATCH (c:Claim {id: id})-[:PART_OF]->(f:Fact)
RETURN c.id AS claim_id, f.id AS fact_id ORDER BY claim_id, fact_id
"""

FACT_MEMBERS = """
UNWIND $ids AS id MATCH (f:Fact {id: id})
OPTIONAL MATCH (c:Claim)-[:PART_OF]->(f)
WITH f, c ORDER BY c.id
RETURN f.id AS id, f.subject AS subject, f.measure_key AS measure_key, f.unit AS unit,
       f.verdict AS verdict, collect(c.id) AS claims
"""

CLAIMS = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
RETURN c.id AS claim_id, c.value AS value, c.low AS low, c.high AS high, c.qualifier AS qualifier,
       c.unit AS unit, c.per AS per, c.span AS span, c.text AS text, c.subject AS subject,
       c.measure AS measure, c.measure_key AS measure_key, c.time AS time, c.hedged AS hedged,
       c.attributed_to AS attributed_to, c.lang AS lang, a.id AS article_id, a.url AS url,
       a.title AS title, a.published AS published, s.id AS source_id, s.name AS source
"""

FLAGS = """
UNWIND $ids AS id
MATCH (f:Flag)-[:FLAGS]->(:Claim {id: id})
WITH DISTINCT f
MATCH (f)-[:FLAGS]->(x:Claim)
WITH f, x ORDER BY x.id
RETURN f.id AS id, f.kind AS kind, f.severity AS severity, f.reason AS reason, collect(x.id) AS claims
"""


class Neo4jBackend:
    syntax = "lucene"

    def __init__(self, driver, database: str | None = None):
        self.driver = driver
        self.database = database
        self._seen: dict[str, SearchDoc] = {}   # texts that came with the nearest claims

    def _read(self, cypher: str, /, **params) -> list[dict]:
        # records as plain dicts, not Record.data(): data() walks byte arrays byte by byte
        # (1 s instead of 10 ms for 250 embeddings)
        def work(tx):
            result = tx.run(cypher, params)
            keys = result.keys()
            return [dict(zip(keys, record.values())) for record in result]

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def probe(self, exact: set[str], prefixes: set[str]) -> tuple[set[str], set[str]]:
        terms = ([{"term": t, "kind": "exact", "query": t} for t in sorted(exact)]
                 + [{"term": p, "kind": "prefix", "query": f"{p}*"} for p in sorted(prefixes)])
        if not terms:
            return set(), set()
        rows = self._read(PROBE, terms=terms, index=SEARCH_INDEX)
        found_exact = {r["term"] for r in rows if r["kind"] == "exact" and r["n"]}
        found_prefix = {r["term"] for r in rows if r["kind"] == "prefix" and r["n"]}
        return found_exact, found_prefix

    def lexical_sets(self, expressions: list[str], cap: int) -> list[list[SearchDoc] | None]:
        """For each query every matching claim, or None when more than `cap` match (one round trip;
        an overfull set's texts never leave the server)."""
        rows = self._read(LEXICAL_SETS, index=SEARCH_INDEX, queries=list(expressions), cap=cap)
        by_query = {r["i"]: r["docs"] for r in rows}
        return [None if by_query.get(i) is None else [SearchDoc(d[0], d[1] or "", d[2] or "")
                                                      for d in by_query[i]]
                for i in range(len(expressions))]

    def lexical_top(self, expression: str, k: int) -> list[SearchDoc]:
        """The k best matches by Lucene's score."""
        rows = self._read(LEXICAL, index=SEARCH_INDEX, query=expression, k=k)
        return [SearchDoc(r["id"], r["head"] or "", r["body"] or "") for r in rows]

    def docs(self, ids: list[str]) -> list[SearchDoc]:
        known = [self._seen[i] for i in ids if i in self._seen]
        rest = [i for i in ids if i not in self._seen]
        if not rest:
            return known
        return known + [SearchDoc(r["id"], r["head"] or "", r["body"] or "")
                        for r in self._read(DOCS, ids=rest)]

    def nearest(self, query: np.ndarray, k: int) -> list[str]:
        vector = [float(x) for x in np.asarray(query, dtype=np.float32)]
        try:
            rows = self._read(NEAREST, index=VECTOR_INDEX, k=k, vector=vector)
        except Exception as exc:  # no embeddings synced (or another dimension): lexical only
            if "dimension" in str(exc).lower() or "no such vector" in str(exc).lower():
                return []
            raise
        rows.sort(key=lambda r: (-r["score"], r["id"]))
        for r in rows:
            self._seen[r["id"]] = SearchDoc(r["id"], r["head"] or "", r["body"] or "")
        return [r["id"] for r in rows]

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        return {r["id"]: np.frombuffer(bytes(r["raw"]), dtype="<f4")
                for r in self._read(VECTORS, ids=list(ids))}

    def facts_of(self, claim_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self._read(FACTS_OF, ids=list(claim_ids)):
            out.setdefault(r["claim_id"], []).append(r["fact_id"])
        return out

    def fact_members(self, fact_ids: list[str]) -> dict[str, tuple[FactMeta, list[str]]]:
        if not fact_ids:
            return {}
        return {r["id"]: (FactMeta(r["id"], r["subject"], r["measure_key"], r["unit"], r["verdict"]),
                          list(r["claims"]))
                for r in self._read(FACT_MEMBERS, ids=list(fact_ids))}

    def claims(self, claim_ids: list[str]) -> dict[str, ClaimHit]:
        if not claim_ids:
            return {}
        return {r["claim_id"]: claim_hit(r) for r in self._read(CLAIMS, ids=list(claim_ids))}

    def flags(self, claim_ids: list[str]) -> list[FlagHit]:
        if not claim_ids:
            return []
        hits = [FlagHit(r["id"], r["kind"], r["severity"], r["reason"], list(r["claims"]))
                for r in self._read(FLAGS, ids=list(claim_ids))]
        return sorted(hits, key=lambda f: (f.kind, f.flag_id))
