"""The lookup's Neo4j backend: full-text index `claim_search`, vector index `claim_embedding`.

Same narrow questions as the SQLite backend (queries.search_sqlite), answered
from the projected graph, on the one session a lookup opens. The full-text index covers the
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

# A fact with every member claim's details and flags: the whole group in one round trip.
FACT_DETAILS = """
UNWIND $ids AS id MATCH (f:Fact {id: id})
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
RETURN f.id AS id, f.subject AS subject, f.measure_key AS measure_key, f.unit AS unit,
       f.verdict AS verdict, member_ids, members
"""

CLAIMS = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
RETURN """ + CLAIM_FIELDS + """ AS claim
"""


class Neo4jBackend:
    syntax = "lucene"

    def __init__(self, session):
        """`session`: a neo4j Session, for the queries of one lookup (see queries.lookup.lookup_neo4j)."""
        self.session = session
        # answers that came along with an earlier, wider query (fewer round trips)
        self._seen: dict[str, SearchDoc] = {}
        self._facts: dict[str, list[str]] = {}
        self._claims: dict[str, ClaimHit] = {}
        self._flags: dict[str, list[FlagHit]] = {}

    def _read(self, cypher: str, /, **params) -> list[dict]:
        # Auto-commit queries: RUN and PULL travel together, one round trip each, where a
        # managed transaction adds BEGIN/COMMIT and a session per query more.
        # Records as plain dicts, not Record.data(): data() walks byte arrays byte by byte
        # (1 s instead of 10 ms for 250 embeddings).
        result = self.session.run(cypher, params)
        keys = result.keys()
        return [dict(zip(keys, record.values())) for record in result]

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
        """Exact float32 vectors; their facts come along (for `facts_of`)."""
        if not ids:
            return {}
        out = {}
        for r in self._read(VECTORS, ids=list(ids)):
            self._facts[r["id"]] = list(r["facts"])
            if r["raw"] is not None:
                out[r["id"]] = np.frombuffer(bytes(r["raw"]), dtype="<f4")
        return out

    def facts_of(self, claim_ids: list[str]) -> dict[str, list[str]]:
        missing = [c for c in claim_ids if c not in self._facts]
        if missing:
            for c in missing:
                self._facts[c] = []
            for r in self._read(FACTS_OF, ids=missing):
                self._facts[r["claim_id"]].append(r["fact_id"])
        return {c: self._facts[c] for c in claim_ids if self._facts[c]}

    def fact_members(self, fact_ids: list[str]) -> dict[str, tuple[FactMeta, list[str]]]:
        """Facts with their member ids; the members' details and flags come along."""
        if not fact_ids:
            return {}
        out = {}
        for r in self._read(FACT_DETAILS, ids=list(fact_ids)):
            for m in r["members"]:
                self._remember(m)
            out[r["id"]] = (FactMeta(r["id"], r["subject"], r["measure_key"], r["unit"], r["verdict"]),
                            list(r["member_ids"]))
        return out

    def claims(self, claim_ids: list[str]) -> dict[str, ClaimHit]:
        missing = [c for c in claim_ids if c not in self._claims]
        if missing:
            for r in self._read(CLAIMS, ids=missing):
                self._remember(r["claim"])
        return {c: self._claims[c] for c in claim_ids if c in self._claims}

    def flags(self, claim_ids: list[str]) -> list[FlagHit]:
        self.claims(claim_ids)
        found = {f.flag_id: f for c in claim_ids for f in self._flags.get(c, ())}
        return sorted(found.values(), key=lambda f: (f.kind, f.flag_id))

    def _remember(self, row: dict) -> None:
        self._claims[row["claim_id"]] = claim_hit(row)
        self._flags[row["claim_id"]] = [
            FlagHit(f["id"], f["kind"], f["severity"], f["reason"], list(f["claims"])) for f in row["flags"]]
