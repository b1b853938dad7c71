"""Project the SQLite record into the newsgraph Neo4j schema (see queries/SCHEMA.md).

Why a diffing projection: the record is the single source of truth and Neo4j
is rebuilt from it. Every node, and every relationship that has properties,
carries `sync_hash`, a digest of its properties (a relationship without any has
nothing to digest: that it exists is all there is to compare, and storing a
hash on it would cost a property record per relationship). A sync reads the
(id, hash) pairs the graph has for each label and relationship type, writes
only what is new or changed, and deletes
what the record no longer has (an article's claims before re-analysis, a flag
linking no longer raises). Syncing twice gives the same graph and the second
sync writes nothing; a sync that dies half-way is repaired by the next one.

All writes are batched `UNWIND $rows ...` statements in managed transactions,
run in order by a background writer (graph.neo4j_write.Writer) while the next
rows are read and hashed; deletions are batched by id. The claims' vectors have a
writer of their own: the server writes them (the vector index is the costliest part
of a first sync) beside the other labels and the relationships without a claim, and
the claims' relationships wait for them, as both lock the claim nodes. A first sync
of 10,000 claims on two cores: ~5 % faster than with one writer. Rows whose key the graph
does not hold are CREATEd (the digests just read prove them new, so a MERGE would
only repeat the lookup: on a first sync that is most of the server's work), rows
it holds with another digest are MERGEd. Labels and relationship types come from
the fixed tables below, values always travel as parameters.

Relationships and vectors find their nodes by element id (graph.neo4j_write.NodeRefs):
the node reads return each node's element id beside its digest, the node writes
return those of the nodes they create, and a relationship batch resolves its
endpoints just before it runs. A lookup by element id goes straight to the node
record; a MATCH on `id` is a locking seek in the uniqueness index per endpoint.
With the digests dropped above, that took ~40 % off the server's CPU time for the
relationships of a first sync (10,000 claims: 4.1 s to 2.4 s, means of six runs).

Embeddings are the expensive part of a first sync (384 floats per claim through
Bolt and the vector index), so they are written only for claims whose
`embedding_key` in the graph differs from the record's; besides the LIST<FLOAT>
property the vector index uses, the claim keeps the exact float32 bytes
(`embedding_f32`) so the Neo4j lookup scores candidates bit-identically to the
embedded one. The driver's Rust packer (neo4j-rust-ext, in requirements.txt)
packs them ~40x faster than its pure-Python one.
"""
from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from graph.neo4j_schema import FULLTEXT_CONFIG, await_indexes, ensure_schema
from graph.neo4j_write import NodeRefs, Pending, QuietList, Writer
from graph.store import source_id_for
from queries.claim_embeddings import assign_embedding_keys
from queries.search_index import claim_search_rows, ensure_search_index
from queries.vectors import CLAIM_EMBEDDINGS_SQL

Progress = Callable[[str, int, int | None], None]  # (stage, done, total), as newsgraph.pipeline

SYNC_PROPERTY = "sync_hash"   # digest of an element's other properties
# Claim vectors per write transaction. The vector index's cost per vector grows with the
# transaction's size (10,000 random vectors: 3.4 s in batches of 500, 4.4 s of 1,000, 12 s in
# one); below 500 the round trips take over again.
EMBEDDING_BATCH = 500
# Vector batches (~1.6 MB each) that may wait for their writer: a sync of up to 16,000
# claims hands all of them over at once and goes on with the rest of the graph.
VECTOR_BATCHES_QUEUED = 32
# The lookup's own full-text index: pre-normalized tokens (queries/search_text.py), so the
# analyzer must only split on whitespace; see queries/lookup.py for why. Eventually
# consistent like the schema's full-text indexes (graph.neo4j_schema.FULLTEXT_CONFIG).
SEARCH_INDEX = "claim_search"
SEARCH_INDEX_STATEMENT = (
    "CREATE FULLTEXT INDEX claim_search IF NOT EXISTS FOR (n:Claim) ON EACH [n.search_head, n.search_body] "
    f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: 'whitespace', {FULLTEXT_CONFIG}}}}}"
)

FLAG_RELATIONSHIPS = {  # flag kind -> relationship between its two claims, and its properties
    "contradiction": ("CONTRADICTS", ("reason", "severity")),
    "corroboration": ("CORROBORATES", ("reason",)),
    "change_over_time": ("CHANGED_OVER_TIME", ("reason",)),
}
CITATION_KIND_ORDER = ("source_line", "link", "attribution")  # most explicit first


def _noop(stage: str, done: int, total: int | None) -> None:
    pass


@dataclass
class SyncReport:
    nodes: dict[str, int] = field(default_factory=dict)            # label -> nodes written (new/changed)
    relationships: dict[str, int] = field(default_factory=dict)    # type -> relationships written
    deleted_nodes: dict[str, int] = field(default_factory=dict)
    deleted_relationships: dict[str, int] = field(default_factory=dict)
    total_nodes: dict[str, int] = field(default_factory=dict)      # label -> nodes in the graph after
    total_relationships: dict[str, int] = field(default_factory=dict)
    embeddings_written: int = 0
    seconds: float = 0.0

    @property
    def elements(self) -> int:
        """Nodes and relationships written by this sync."""
        return sum(self.nodes.values()) + sum(self.relationships.values())

    @property
    def total_elements(self) -> int:
        """Nodes and relationships the graph holds after this sync (all checked, changed or not)."""
        return sum(self.total_nodes.values()) + sum(self.total_relationships.values())

    @property
    def elements_per_second(self) -> float:
        """Written elements per second (a first sync); a re-sync writes ~nothing, see total_elements."""
        return self.elements / self.seconds if self.seconds else 0.0


# -- nodes -------------------------------------------------------------------------------------------

def _json_list(text: str | None) -> list:
    value = json.loads(text) if text else []
    return [str(v) for v in value] if isinstance(value, list) else []


def cited_source(target: str) -> tuple[str, str, str | None]:
    """(id, name, domain) of the Source a citation points at: a URL or domain by its host."""
    t = target.strip()
    looks_like_host = " " not in t and "." in t and not t.endswith(".")
    if "://" in t or looks_like_host:
        host = urlsplit(t if "://" in t else f"//{t}").hostname or t.lower()
        host = host[4:] if host.startswith("www.") else host
        return host, host, host
    return source_id_for(t), t, None


def source_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    known = set()
    for r in conn.execute("SELECT id, name, domain FROM sources ORDER BY id"):
        known.add(r["id"])
        yield {"id": r["id"], "props": {"name": r["name"], "domain": r["domain"]}}
    cited: dict[str, dict] = {}
    for (target,) in conn.execute("SELECT DISTINCT target FROM citations ORDER BY target"):
        sid, name, domain = cited_source(target)
        if sid and sid not in known and sid not in cited:
            cited[sid] = {"id": sid, "props": {"name": name, "domain": domain}}
    yield from cited.values()


def article_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    for r in conn.execute(
        """SELECT id, url, canonical_url, title, author, published, language, content_hash,
                  ai_disclosure FROM articles ORDER BY id"""
    ):
        yield {"id": r["id"], "props": {
            "url": r["url"], "canonical_url": r["canonical_url"], "title": r["title"],
            "author": r["author"], "published": r["published"], "lang": r["language"],
            "content_hash": r["content_hash"], "ai_disclosure": r["ai_disclosure"],
        }}


def entity_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    for r in conn.execute("SELECT id, name, type, aliases FROM entities ORDER BY id"):
        yield {"id": r["id"], "props": {"name": r["name"], "type": r["type"],
                                        "aliases": _json_list(r["aliases"])}}


CLAIM_COLUMNS = ("id, sentence, span, value, low, high, qualifier, unit, per, subject, measure, "
                 "measure_key, time, hedged, lang, start, end, attributed_to")


def claim_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    """Claims with their properties and the lookup's search fields.

    The search fields come from the FTS table (row = the claim's rowid), so Neo4j
    indexes exactly what SQLite does; a claim the index lacks gets them computed.
    """
    cols = ", ".join(f"c.{c.strip()}" for c in CLAIM_COLUMNS.split(","))
    missing: list[sqlite3.Row] = []
    for r in conn.execute(f"""SELECT {cols}, s.claim_id AS search_id, s.head, s.body FROM claims c
                              LEFT JOIN claim_search s ON s.rowid = c.rowid ORDER BY c.id"""):
        if r["search_id"] == r["id"]:
            yield _claim_row(r, r["head"], r["body"])
        else:
            missing.append(r)
    for start in range(0, len(missing), 500):
        chunk = {r["id"]: r for r in missing[start:start + 500]}
        for found in claim_search_rows(conn, claim_ids=list(chunk)):
            yield _claim_row(chunk[found.claim_id], found.head, found.body)


def _claim_row(r: sqlite3.Row, head: str, body: str) -> dict:
    return {"id": r["id"], "props": {
        "text": r["sentence"], "span": r["span"], "value": r["value"], "low": r["low"],
        "high": r["high"], "qualifier": r["qualifier"], "unit": r["unit"], "per": r["per"],
        "subject": r["subject"], "measure": r["measure"], "measure_key": r["measure_key"],
        "time": r["time"], "hedged": bool(r["hedged"]), "lang": r["lang"], "start": r["start"],
        "end": r["end"], "attributed_to": _json_list(r["attributed_to"]),
        "search_head": head, "search_body": body,
    }}


def fact_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    for r in conn.execute(
        """SELECT f.id, f.subject, f.measure_key, f.unit, f.verdict,
                  (SELECT COUNT(*) FROM fact_members m WHERE m.fact_id = f.id) AS n
           FROM facts f ORDER BY f.id"""
    ):
        yield {"id": r["id"], "props": {"subject": r["subject"], "measure_key": r["measure_key"],
                                        "unit": r["unit"], "verdict": r["verdict"], "claims": r["n"]}}


def flag_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    for r in conn.execute("SELECT id, kind, severity, reason FROM flags ORDER BY id"):
        yield {"id": r["id"], "props": {"kind": r["kind"], "severity": r["severity"],
                                        "reason": r["reason"]}}


NODES: tuple[tuple[str, Callable[[sqlite3.Connection], Iterator[dict]]], ...] = (
    ("Source", source_rows),
    ("Article", article_rows),
    ("Entity", entity_rows),
    ("Claim", claim_rows),
    ("Fact", fact_rows),
    ("Flag", flag_rows),
)


# -- relationships -----------------------------------------------------------------------------------

def _rel(start_id: str, end_id: str, /, **props) -> dict:
    return {"start": start_id, "end": end_id, "props": props}


def published_by_rows(conn):
    for r in conn.execute("SELECT id, source_id FROM articles ORDER BY id"):
        yield _rel(r["id"], r["source_id"])


def stated_in_rows(conn):
    for r in conn.execute(
        "SELECT id, article_id, sentence, sentence_index, start, end FROM claims ORDER BY id"
    ):
        yield _rel(r["id"], r["article_id"], sentence=r["sentence"],
                   sentence_index=r["sentence_index"], start=r["start"], end=r["end"])


def _claim_entity_rows(conn, role: str):
    for r in conn.execute(
        """SELECT DISTINCT ce.claim_id, ce.entity_id FROM claim_entities ce
           JOIN entities e ON e.id = ce.entity_id
           WHERE ce.role = ? ORDER BY ce.claim_id, ce.entity_id""", (role,)
    ):
        yield _rel(r["claim_id"], r["entity_id"])


def about_rows(conn):
    return _claim_entity_rows(conn, "about")


def attributed_to_rows(conn):
    return _claim_entity_rows(conn, "attributed_to")


def mentions_rows(conn):
    for r in conn.execute(
        """SELECT m.article_id, m.entity_id, COUNT(*) AS n FROM mentions m
           JOIN entities e ON e.id = m.entity_id
           GROUP BY m.article_id, m.entity_id ORDER BY m.article_id, m.entity_id"""
    ):
        yield _rel(r["article_id"], r["entity_id"], count=r["n"])


def cites_rows(conn):
    """One CITES per (article, cited source): the most explicit kind and its text."""
    best: dict[tuple[str, str], tuple[int, int, str, str | None]] = {}
    for r in conn.execute("SELECT article_id, kind, target, text, start FROM citations"):
        sid = cited_source(r["target"])[0]
        if not sid:
            continue
        rank = (CITATION_KIND_ORDER.index(r["kind"]) if r["kind"] in CITATION_KIND_ORDER
                else len(CITATION_KIND_ORDER))
        cand = (rank, r["start"], r["kind"], r["text"])
        key = (r["article_id"], sid)
        if key not in best or cand < best[key]:
            best[key] = cand
    for (aid, sid), (_, _, kind, text) in sorted(best.items()):
        yield _rel(aid, sid, kind=kind, text=text)


def part_of_rows(conn):
    for r in conn.execute("SELECT claim_id, fact_id FROM fact_members ORDER BY fact_id, claim_id"):
        yield _rel(r["claim_id"], r["fact_id"])


def _flag_pair_rows(conn, kind: str, props: tuple[str, ...]):
    seen = set()
    for r in conn.execute(
        """SELECT id, claim_a, claim_b, reason, severity FROM flags
           WHERE kind = ? AND claim_a IS NOT NULL AND claim_b IS NOT NULL ORDER BY id""", (kind,)
    ):
        pair = (r["claim_a"], r["claim_b"])
        if pair in seen:
            continue
        seen.add(pair)
        yield _rel(*pair, flag_id=r["id"], **{p: r[p] for p in props})


def converts_rows(conn):
    for r in conn.execute(
        """SELECT c.id, c.conversion_of FROM claims c JOIN claims o ON o.id = c.conversion_of
           ORDER BY c.id"""
    ):
        yield _rel(r["id"], r["conversion_of"])


def copies_rows(conn):
    """Copier -> original, from copy flags (article_a copied article_b; see graph/link.py)."""
    seen = set()
    for r in conn.execute(
        """SELECT id, article_a, article_b, data FROM flags
           WHERE kind = 'copy' AND article_a IS NOT NULL AND article_b IS NOT NULL ORDER BY id"""
    ):
        pair = (r["article_a"], r["article_b"])
        if pair in seen:
            continue
        seen.add(pair)
        data = json.loads(r["data"] or "{}")
        yield _rel(*pair, similarity=data.get("similarity"), flag_id=r["id"])


def first_reported_rows(conn):
    for r in conn.execute(
        """SELECT f.id, c.article_id FROM facts f JOIN claims c ON c.id = f.first_claim_id
           ORDER BY f.id"""
    ):
        yield _rel(r["id"], r["article_id"])


def flags_claim_rows(conn):
    for r in conn.execute("SELECT id, claim_a, claim_b FROM flags ORDER BY id"):
        for cid in dict.fromkeys(c for c in (r["claim_a"], r["claim_b"]) if c):
            yield _rel(r["id"], cid)


def flags_article_rows(conn):
    """Article-level flags (no claims: copy, ai_generated) point at their articles."""
    for r in conn.execute(
        "SELECT id, article_a, article_b FROM flags WHERE claim_a IS NULL AND claim_b IS NULL ORDER BY id"
    ):
        for aid in dict.fromkeys(a for a in (r["article_a"], r["article_b"]) if a):
            yield _rel(r["id"], aid)


RelRows = Callable[[sqlite3.Connection], Iterable[dict]]
# In sync order: those without a claim first (they run beside the claims' vectors).
RELATIONSHIPS: tuple[tuple[str, str, str, RelRows], ...] = (
    ("PUBLISHED_BY", "Article", "Source", published_by_rows),
    ("MENTIONS", "Article", "Entity", mentions_rows),
    ("CITES", "Article", "Source", cites_rows),
    ("COPIES", "Article", "Article", copies_rows),
    ("FIRST_REPORTED_IN", "Fact", "Article", first_reported_rows),
    ("FLAGS", "Flag", "Article", flags_article_rows),
    ("STATED_IN", "Claim", "Article", stated_in_rows),
    ("ABOUT", "Claim", "Entity", about_rows),
    ("ATTRIBUTED_TO", "Claim", "Entity", attributed_to_rows),
    ("PART_OF", "Claim", "Fact", part_of_rows),
    *((rel, "Claim", "Claim", (lambda conn, k=kind, p=props: _flag_pair_rows(conn, k, p)))
      for kind, (rel, props) in FLAG_RELATIONSHIPS.items()),
    ("CONVERTS", "Claim", "Claim", converts_rows),
    ("FLAGS", "Flag", "Claim", flags_claim_rows),
)
NODE_LABELS = tuple(label for label, _ in NODES)
RELATIONSHIP_TYPES = tuple(dict.fromkeys(t for t, _, _, _ in RELATIONSHIPS))


# -- the sync ----------------------------------------------------------------------------------------

def sync_record(conn: sqlite3.Connection, driver, database: str | None = None,
                batch_size: int = 5000, progress: Progress | None = None, *,
                full: bool = False) -> SyncReport:
    """Make the graph equal to the record; return what was written and removed.

    `full` rewrites every element, not only those whose digest changed: the
    repair for properties edited in Neo4j by hand (digests cannot see those).
    The writes run in the background (graph.neo4j_write.Writer) while the next
    label's rows are read and hashed; progress counts steps handed to it.
    """
    progress = progress or _noop
    started = time.perf_counter()
    report = SyncReport()
    assign_embedding_keys(conn)          # claims whose context linking embedded since the last sync
    ensure_search_index(conn)            # the claims' search fields are read from it
    ensure_schema(driver, database=database, embedding_dim=embedding_dimension(conn) or 384,
                  extra={SEARCH_INDEX: SEARCH_INDEX_STATEMENT})
    steps = len(NODES) * 2 + len(RELATIONSHIPS) + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        progress("sync", done, steps)

    pending: list[tuple[dict, str, Pending]] = []     # (report table, label or type, rows written)
    stale_nodes: dict[str, list[str]] = {}
    refs = NodeRefs()          # element ids of the nodes: read below, and returned by the node writes
    # notifications off: on a first sync the properties and types are unknown (warnings)
    with driver.session(database=database, notifications_min_severity="OFF") as reader, \
            Writer(driver, database) as writer, Writer(driver, database, queued=VECTOR_BATCHES_QUEUED) as vectors:
        # Graph digests are read before this sync submits anything of that label or type,
        # so they never see a write of this sync.
        for label, rows in NODES:
            in_graph = _graph_nodes(reader, label, refs)
            new, changed, wanted = _changed(rows(conn), in_graph, full, key=lambda row: row["id"])
            # `new` streams: its batches go to the writer as they fill, and once it is
            # consumed `changed` and `wanted` are complete
            pending.append((report.nodes, label, writer.create_nodes(label, new, batch_size=batch_size,
                                                                     refs=refs)))
            pending.append((report.nodes, label, writer.merge_nodes(label, changed, batch_size=batch_size,
                                                                    refs=refs)))
            report.total_nodes[label] = len(wanted)
            stale_nodes[label] = sorted(set(in_graph) - wanted)
            step()
            if label == "Claim":
                # the vectors go to their own writer once the claims exist, and are written
                # beside the other labels and the relationships that do not touch a claim
                vectors.after(writer.checkpoint())
                embeddings = sync_embeddings(conn, reader, vectors, refs,
                                             batch_size=max(1, min(batch_size, EMBEDDING_BATCH)))
                step()
        vectors_done = vectors.checkpoint()
        for rel_type, start, end, rows in RELATIONSHIPS:
            if "Claim" in (start, end) and vectors_done is not None:
                writer.after(vectors_done)     # relationships lock their claims, as the vectors do
                vectors_done = None
            in_graph = _graph_hashes(
                reader, f"MATCH (a:{start})-[r:{rel_type}]->(b:{end}) "
                        f"RETURN collect(a.id + $sep + b.id + $sep + coalesce(r.{SYNC_PROPERTY}, '')) AS x")
            new, changed, wanted = _changed(rows(conn), in_graph, full,
                                            key=lambda row: (row["start"], row["end"]))
            pending.append((report.relationships, rel_type, writer.create_relationships(
                rel_type, start, end, new, batch_size=batch_size, refs=refs)))
            pending.append((report.relationships, rel_type, writer.merge_relationships(
                rel_type, start, end, changed, batch_size=batch_size, refs=refs)))
            pending.append((report.deleted_relationships, rel_type, writer.run_batches(
                f"UNWIND $keys AS k MATCH (:{start} {{id: k[0]}})-[r:{rel_type}]->(:{end} {{id: k[1]}}) "
                "DELETE r RETURN count(r) AS n",
                [list(k) for k in sorted(set(in_graph) - wanted)], batch_size, name="keys")))
            report.total_relationships[rel_type] = report.total_relationships.get(rel_type, 0) + len(wanted)
            step()
        for label, _ in NODES:
            pending.append((report.deleted_nodes, label, writer.run_batches(
                f"UNWIND $keys AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n RETURN count(*) AS n",
                stale_nodes[label], batch_size, name="keys")))
            step()
    for table, name, written in pending:
        table[name] = table.get(name, 0) + written.result()
    report.embeddings_written = embeddings.result()
    await_indexes(driver, database)      # what the sync wrote is searchable once it returns
    report.seconds = time.perf_counter() - started
    return report


def element_hash(props: dict) -> str:
    """Digest of an element's properties, the same on every run (repr of the sorted items:
    plain values only, and ~2x cheaper than JSON)."""
    return hashlib.sha1(repr(sorted(props.items())).encode("utf-8")).hexdigest()[:20]


def _changed(rows: Iterable[dict], in_graph: dict, full: bool, key: Callable[[dict], object]
             ) -> tuple[Iterator[dict], list[dict], set]:
    """Rows the graph lacks, rows it holds with another digest (all it holds when `full`),
    both stamped with their new digest; and all keys.

    The rows the graph lacks come as an iterator that does the work: `changed` and
    the keys are complete once it is consumed. So the writer gets the first new
    rows while the last are still being read and hashed.
    The row tables yield each key once; a repeated key is skipped, so that a new
    element is never CREATEd twice.
    """
    changed: list[dict] = []
    wanted: set = set()
    return _diff(rows, in_graph, full, key, changed, wanted), changed, wanted


def _diff(rows: Iterable[dict], in_graph: dict, full: bool, key: Callable[[dict], object],
          changed: list[dict], wanted: set) -> Iterator[dict]:
    for row in rows:
        k = key(row)
        if k in wanted:
            continue
        wanted.add(k)
        props = row["props"]
        if not props:
            # Nothing to digest (most relationship types): presence is the whole state, and
            # no sync_hash property is stored; a digest left by an older sync is removed.
            if k not in in_graph:
                yield row
            elif full or in_graph[k] is not None:
                row["props"] = {SYNC_PROPERTY: None}
                changed.append(row)
            continue
        digest = element_hash(props)
        if k not in in_graph:
            # a new element: unset (None) properties need not travel, SET would skip them
            props = {name: value for name, value in props.items() if value is not None}
            props[SYNC_PROPERTY] = digest
            row["props"] = props
            yield row
        elif full or in_graph[k] != digest:
            props[SYNC_PROPERTY] = digest
            changed.append(row)


KEY_SEPARATOR = "\x1f"


def _graph_nodes(session, label: str, refs: NodeRefs) -> dict:
    """id -> digest of the graph's `label` nodes, as _graph_hashes; their element ids go to `refs`."""
    joined = session.execute_read(lambda tx: tx.run(
        f"MATCH (n:{label}) RETURN collect(n.id + $sep + elementId(n) + $sep + "
        f"coalesce(n.{SYNC_PROPERTY}, '')) AS x", sep=KEY_SEPARATOR).single()["x"])
    out: dict = {}
    ids = refs.of(label)
    for item in joined:
        key, element_id, digest = item.split(KEY_SEPARATOR)
        out[key] = digest or None
        ids[key] = element_id
    return out


def _graph_hashes(session, query: str) -> dict:
    """key (id, or (start id, end id)) -> digest, of everything the graph holds of one label/type.

    One collected list of joined strings instead of a record per element: the
    driver decodes it ~7x faster (0.7 s instead of 5 s for 100,000 elements).
    The sync's ~22 reads share one session (one connection, no pool round per read).
    """
    joined = session.execute_read(lambda tx: tx.run(query, sep=KEY_SEPARATOR).single()["x"])
    out: dict = {}
    for item in joined:
        *key, digest = item.split(KEY_SEPARATOR)
        out[key[0] if len(key) == 1 else tuple(key)] = digest or None
    return out


# -- embeddings --------------------------------------------------------------------------------------

def embedding_dimension(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(f"SELECT e.dim FROM ({CLAIM_EMBEDDINGS_SQL}) e LIMIT 1").fetchone()
    return row["dim"] if row else None


# The claim vectors of a batch travel as one float32 matrix (a numpy array the driver packs as
# a list of float lists): the driver formats every RUN's parameters for its debug log whether
# that log is on or not (neo4j 6.4, Bolt `run`), ~2 s per 10,000 vectors as Python lists but
# a short summary for an array. db.create.setNodeVectorProperty stores the list the vector
# index uses as float32 (the record's exact values): half the store bytes of SET's float64
# list (server CPU ~8 % lower on claims + vectors alone, within the noise of a whole sync);
# `embedding_f32` keeps the bytes the lookup scores. The claims are found by element id
# (graph.neo4j_write.NodeRefs): no index seek per claim.
WRITE_EMBEDDINGS = (
    "UNWIND range(0, size($ids) - 1) AS i MATCH (c:Claim) WHERE elementId(c) = $ids[i] "
    "SET c.embedding_f32 = $raw[i], c.embedding_key = $keys[i] "
    "WITH c, i CALL db.create.setNodeVectorProperty(c, 'embedding', $vectors[i]) "
    "RETURN count(c) AS written"
)
CLEAR_EMBEDDINGS = (
    "UNWIND $keys AS id MATCH (c:Claim {id: id}) "
    "REMOVE c.embedding, c.embedding_f32, c.embedding_key RETURN count(c) AS n"
)


def sync_embeddings(conn: sqlite3.Connection, reader, writer: Writer, refs: NodeRefs,
                    batch_size: int = 1000) -> Pending:
    """Submit the claim embeddings whose key in the graph differs from the record's; return how many.

    The graph's keys are read in `reader` (a session). Claims the graph does not
    hold yet count as differing: their nodes must be written before `writer` runs
    these batches (sync_record gives the vectors their own writer and has it wait for
    the claims' node batches with `after(checkpoint())`). The claims are found by their
    element ids in `refs` (those the sync's node reads and writes collect).
    """
    import numpy as np

    in_graph = _graph_hashes(
        reader, "MATCH (c:Claim) RETURN collect(c.id + $sep + coalesce(c.embedding_key, '')) AS x")
    wanted = {r[0]: f"{r[1]}:{r[2]}" for r in conn.execute(
        "SELECT id, embedding_model, embedding_key FROM claims "
        "WHERE embedding_key IS NOT NULL AND embedding_model IS NOT NULL")}
    todo = sorted(cid for cid, key in wanted.items() if in_graph.get(cid) != key)
    futures = []
    for start in range(0, len(todo), batch_size):
        chunk = todo[start:start + batch_size]
        by_dim: dict[int, list] = {}       # one matrix per vector length (one model: one length)
        for r in conn.execute(f"{CLAIM_EMBEDDINGS_SQL} WHERE c.id IN ({','.join('?' * len(chunk))})", chunk):
            by_dim.setdefault(len(r["vector"]), []).append(
                (r["claim_id"], f"{r['model']}:{r['key']}", bytes(r["vector"])))
        for rows in by_dim.values():
            ids, keys, raw = (QuietList(col) for col in zip(*rows))
            vectors = np.frombuffer(b"".join(raw), dtype="<f4").reshape(len(raw), -1)
            futures.append(writer.submit_lazy(WRITE_EMBEDDINGS, functools.partial(
                _embedding_params, refs.of("Claim"), ids, keys, raw, vectors)))
    stale = sorted(cid for cid, key in in_graph.items() if key is not None and cid not in wanted)
    writer.run_batches(CLEAR_EMBEDDINGS, stale, batch_size, name="keys")
    return Pending(futures)


def _embedding_params(element_ids: dict, ids: list, keys: list, raw: list, vectors) -> dict | None:
    """The batch's parameters with claim element ids (resolved in the writer thread, after the
    claims' node batches); a claim the graph lacks is left out, as the MATCH would."""
    found = [i for i, cid in enumerate(ids) if cid in element_ids]
    if not found:
        return None
    if len(found) < len(ids):
        ids, keys, raw, vectors = (QuietList(ids[i] for i in found), QuietList(keys[i] for i in found),
                                   QuietList(raw[i] for i in found), vectors[found])
    return {"ids": QuietList(element_ids[cid] for cid in ids), "keys": keys, "raw": raw, "vectors": vectors}
