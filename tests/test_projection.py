"""The Neo4j projection of the record (graph/projection.py) against a real Neo4j."""
from __future__ import annotations

import numpy as np
import pytest

from graph.projection import NODE_LABELS, RELATIONSHIP_TYPES, SYNC_PROPERTY, sync_record
from graph.record import transaction
from graph_fixture import (EMBEDDING_DIM, EMBEDDING_MODEL, FACTS, FLAGS, build_record,
                                 reanalyze, write_links)

EXPECTED_NODES = {"Source": 7, "Article": 4, "Entity": 5, "Claim": 10, "Fact": 4, "Flag": 8}
EXPECTED_RELATIONSHIPS = {
    "PUBLISHED_BY": 4, "STATED_IN": 10, "ABOUT": 8, "ATTRIBUTED_TO": 3, "MENTIONS": 9, "CITES": 4,
    "PART_OF": 10, "CONTRADICTS": 2, "CORROBORATES": 2, "CHANGED_OVER_TIME": 1, "CONVERTS": 1,
    "COPIES": 1, "FIRST_REPORTED_IN": 4, "FLAGS": 14,
}


@pytest.fixture
def fx(tmp_path):
    return build_record(tmp_path / "record.db")


def graph_counts(driver) -> tuple[dict, dict]:
    nodes = {label: driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n").records[0]["n"]
             for label in NODE_LABELS}
    rels = {t: driver.execute_query(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n").records[0]["n"]
            for t in RELATIONSHIP_TYPES}
    return nodes, rels


def graph_dump(driver) -> tuple[list, list]:
    """Every node and relationship with its properties except the sync token, sorted."""
    nodes = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props").records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props").records
    def clean(props):
        return sorted((k, repr(v)) for k, v in props.items() if k != SYNC_PROPERTY)
    return (sorted((r["labels"], clean(r["props"])) for r in nodes),
            sorted((r["a"], r["t"], r["b"], clean(r["props"])) for r in rels))


def test_sync_projects_the_whole_record(fx, clean_neo4j):
    report = sync_record(fx.conn, clean_neo4j, batch_size=3)
    nodes, rels = graph_counts(clean_neo4j)
    assert nodes == EXPECTED_NODES
    assert rels == EXPECTED_RELATIONSHIPS
    assert report.nodes == report.total_nodes == EXPECTED_NODES
    assert report.relationships == report.total_relationships == EXPECTED_RELATIONSHIPS
    assert report.embeddings_written == 10
    assert report.elements == sum(EXPECTED_NODES.values()) + sum(EXPECTED_RELATIONSHIPS.values())


def test_projected_properties_and_relationships(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    q = clean_neo4j.execute_query
    c = q("MATCH (c:Claim {id: $id}) RETURN c", id=fx.claim_ids["a1_train"]).records[0]["c"]
    assert c["value"] == 5.6e6 and c["unit"] == "USD" and c["qualifier"] == "exact"
    assert c["hedged"] is True and c["measure_key"] == "training_cost" and c["lang"] == "de"
    assert c["span"] == "5,6 Millionen US-Dollar"
    assert c["text"].startswith("Das Start-up DeepSeek")
    assert len(c["embedding"]) == EMBEDDING_DIM
    stored = fx.conn.execute(
        "SELECT e.vector FROM claims c JOIN embeddings e ON e.key = c.embedding_key "
        "AND e.model = c.embedding_model WHERE c.id = ?", (fx.claim_ids["a1_train"],)).fetchone()[0]
    assert bytes(c["embedding_f32"]) == bytes(stored)
    # the list (for the vector index) is stored as float32: the record's values exactly
    assert np.array_equal(np.asarray(c["embedding"], dtype="<f4"), np.frombuffer(stored, "<f4"))
    assert "deepseek" in c["search_head"].split() and "trainingskosten" in c["search_head"].split()

    h = q("MATCH (c:Claim {id: $id}) RETURN c", id=fx.claim_ids["a2_rent"]).records[0]["c"]
    assert h["per"] == "month" and h["attributed_to"] == ["Zhineng Yongxian"]

    def rel(cypher, **params):
        return [tuple(r.values()) for r in q(cypher, **params).records]

    assert rel("MATCH (a:Article)-[r:COPIES]->(b:Article) RETURN a.id, b.id, r.similarity") == [
        (fx.article_ids["a4"], fx.article_ids["a3"], 0.82)]
    assert rel("MATCH (c:Claim)-[:CONVERTS]->(o:Claim) RETURN c.id, o.id") == [
        (fx.claim_ids["a2_rent_usd"], fx.claim_ids["a2_rent"])]
    assert sorted(rel("MATCH (f:Fact)-[:FIRST_REPORTED_IN]->(a:Article) RETURN f.id, a.id")) == sorted(
        (fx.fact_ids[k], fx.article_ids[FACTS[k][2][:2]]) for k in FACTS)
    assert sorted(rel("MATCH (a:Article)-[r:CITES]->(s:Source) RETURN a.id, s.id, r.kind, r.text")) == sorted([
        (fx.article_ids["a1"], "semianalysis", "attribution", "Laut SemiAnalysis"),
        (fx.article_ids["a2"], "zhineng.example", "link", "Zhineng Yongxian"),
        (fx.article_ids["a3"], "jiazi guangnian", "source_line", "Quelle: Jiazi Guangnian"),
        (fx.article_ids["a4"], "marktecho", "source_line", "Quelle: Marktecho"),
    ])
    assert rel("MATCH (a:Claim)-[r:CONTRADICTS]->(b:Claim) WHERE r.severity = 'high' "
               "RETURN a.id, b.id, r.reason, r.flag_id") == [
        (fx.claim_ids["a4_train"], fx.claim_ids["a1_train"],
         "5.6 M USD vs 12 M USD for the same training run", fx.flag_ids["fl_contra_1"])]
    assert sorted(rel("MATCH (f:Flag {kind: 'ai_generated'})-[:FLAGS]->(x) RETURN labels(x)[0], x.id")) == [
        ("Article", fx.article_ids["a4"])]
    assert rel("MATCH (a:Article {id: $id})-[r:MENTIONS]->(e:Entity {id: 'deepseek'}) RETURN r.count",
               id=fx.article_ids["a1"]) == [(2,)]  # named in both of a1's sentences
    assert rel("MATCH (a:Article {id: $id}) RETURN a.ai_disclosure, a.lang, a.published",
               id=fx.article_ids["a4"]) == [("Dieser Text wurde mit Hilfe von KI erstellt.", "de", "2025-02-05")]
    assert rel("MATCH (e:Entity {id: 'china'}) RETURN e.aliases") == [(["China", "Volksrepublik China"],)]


def test_sync_twice_gives_the_same_graph(fx, clean_neo4j):
    first = sync_record(fx.conn, clean_neo4j)
    counts_1, dump_1 = graph_counts(clean_neo4j), graph_dump(clean_neo4j)
    second = sync_record(fx.conn, clean_neo4j)
    assert graph_counts(clean_neo4j) == counts_1
    assert graph_dump(clean_neo4j) == dump_1
    assert second.total_nodes == first.total_nodes and second.total_relationships == first.total_relationships
    assert second.elements == 0                  # nothing changed: nothing written
    assert sum(second.deleted_nodes.values()) == 0 and sum(second.deleted_relationships.values()) == 0
    assert second.embeddings_written == 0        # unchanged vectors are not sent again


def test_changed_and_foreign_elements_are_repaired(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    dump = graph_dump(clean_neo4j)
    q = clean_neo4j.execute_query
    q("MATCH (c:Claim {id: $id}) SET c.value = 1.0", id=fx.claim_ids["a1_train"])   # edited by hand
    q("CREATE (:Claim {id: 'not-in-the-record'})")
    q("MATCH (a:Article {id: $a}), (b:Article {id: $b}) CREATE (a)-[:COPIES]->(b)",
      a=fx.article_ids["a1"], b=fx.article_ids["a2"])
    with transaction(fx.conn):
        fx.conn.execute("UPDATE sources SET name = 'Techblatt Online' WHERE id = 'techblatt'")
    report = sync_record(fx.conn, clean_neo4j)
    assert report.nodes == {"Source": 1, "Article": 0, "Entity": 0, "Claim": 0, "Fact": 0, "Flag": 0}
    assert report.deleted_nodes["Claim"] == 1 and report.deleted_relationships["COPIES"] == 1
    assert q("MATCH (s:Source {id: 'techblatt'}) RETURN s.name AS n").records[0]["n"] == "Techblatt Online"
    value = "MATCH (c:Claim {id: $id}) RETURN c.value AS v"
    # a property edited in Neo4j keeps its digest: only a full sync rewrites it
    assert q(value, id=fx.claim_ids["a1_train"]).records[0]["v"] == 1.0
    with transaction(fx.conn):
        fx.conn.execute("UPDATE sources SET name = 'Techblatt' WHERE id = 'techblatt'")
    full = sync_record(fx.conn, clean_neo4j, full=True)
    assert full.nodes == full.total_nodes
    assert q(value, id=fx.claim_ids["a1_train"]).records[0]["v"] == 5.6e6
    assert graph_dump(clean_neo4j) == dump


def test_reanalyzed_article_loses_its_old_claims(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    old = {fx.claim_ids["a1_train"], fx.claim_ids["a1_hw"]}
    new_id = reanalyze(fx, "a1", "DeepSeek nannte später Kosten von 5,9 Millionen US-Dollar.",
                       "5,9 Millionen US-Dollar", 5.9e6)
    # linking runs again over the changed record: facts and flags are rebuilt from scratch
    with transaction(fx.conn):
        fx.conn.execute("DELETE FROM flags")
        fx.conn.execute("DELETE FROM facts")
        fx.conn.execute("DELETE FROM claim_entities")
    claim_ids = {k: v for k, v in fx.claim_ids.items() if v not in old} | {"a1_new": new_id}
    write_links(fx.conn, fx.article_ids, claim_ids, fx.fact_ids, fx.flag_ids)

    report = sync_record(fx.conn, clean_neo4j)
    ids = {r["id"] for r in clean_neo4j.execute_query("MATCH (c:Claim) RETURN c.id AS id").records}
    assert ids == set(claim_ids.values())
    assert not ids & old
    assert report.deleted_nodes["Claim"] == 2
    assert report.deleted_nodes["Fact"] == 1          # f_hw had only a1_hw
    # flags that named the old claims are gone, and with them their relationships
    flags_left = {r["id"] for r in clean_neo4j.execute_query("MATCH (f:Flag) RETURN f.id AS id").records}
    assert flags_left == {fx.flag_ids[k] for k, _, _, _, ca, cb, *_ in FLAGS
                          if not ({ca, cb} & {"a1_train", "a1_hw"})}
    dangling = clean_neo4j.execute_query(
        "MATCH (c:Claim)-[:STATED_IN]->(a:Article {id: $id}) RETURN c.id AS id",
        id=fx.article_ids["a1"]).records
    assert [r["id"] for r in dangling] == [new_id]
    assert clean_neo4j.execute_query(
        "MATCH (c:Claim {id: $id}) RETURN c.embedding IS NULL AS none", id=new_id).records[0]["none"]


def test_vector_index_holds_every_synced_embedding(fx, clean_neo4j):
    """The float32 lists setNodeVectorProperty writes are what the vector index serves."""
    sync_record(fx.conn, clean_neo4j)
    q = clean_neo4j.execute_query
    indexed = q("MATCH (c:Claim) WHERE c.embedding IS NOT NULL RETURN count(c) AS n").records[0]["n"]
    assert indexed == len(fx.claim_ids)
    for cid in (fx.claim_ids["a1_train"], fx.claim_ids["a3_idle"]):
        vector = q("MATCH (c:Claim {id: $id}) RETURN c.embedding AS e", id=cid).records[0]["e"]
        hits = q("CALL db.index.vector.queryNodes('claim_embedding', 1, $v) YIELD node, score "
                 "RETURN node.id AS id, score", v=vector).records
        assert hits[0]["id"] == cid and hits[0]["score"] > 0.999


def test_full_text_indexes_hold_every_claim_when_the_sync_returns(fx, clean_neo4j):
    """The full-text indexes are eventually consistent: the sync waits for them before it returns."""
    sync_record(fx.conn, clean_neo4j)
    q = clean_neo4j.execute_query
    configs = {r["name"]: r["options"]["indexConfig"] for r in q(
        "SHOW FULLTEXT INDEXES YIELD name, options RETURN name, options").records}
    assert configs["claim_search"]["fulltext.eventually_consistent"] is True
    assert configs["claim_search"]["fulltext.analyzer"] == "whitespace"
    for index, field in (("claim_search", "search_head"), ("claim_text", "text")):
        words = {w for r in q(f"MATCH (c:Claim) RETURN c.{field} AS t").records
                 for w in (r["t"] or "").split()[:1] if w.isalpha()}
        ids = {r["id"] for r in q(
            "UNWIND $words AS w CALL db.index.fulltext.queryNodes($index, w) YIELD node "
            "RETURN DISTINCT node.id AS id", words=sorted(words), index=index).records}
        having = {r["id"] for r in q(
            f"MATCH (c:Claim) WHERE any(w IN split(coalesce(c.{field}, ''), ' ') WHERE w IN $words) "
            "RETURN c.id AS id", words=sorted(words)).records}
        assert having and ids >= having


def test_changed_embedding_is_written_again(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    vec = (np.ones(EMBEDDING_DIM) / np.sqrt(EMBEDDING_DIM)).astype("<f4")
    with transaction(fx.conn):
        fx.conn.execute("INSERT INTO embeddings(key, model, dim, vector) VALUES ('changed', ?, ?, ?)",
                        (EMBEDDING_MODEL, EMBEDDING_DIM, vec.tobytes()))
        fx.conn.execute("UPDATE claims SET embedding_key = 'changed' WHERE id = ?",
                        (fx.claim_ids["a3_idle"],))
    report = sync_record(fx.conn, clean_neo4j)
    assert report.embeddings_written == 1
    got = clean_neo4j.execute_query("MATCH (c:Claim {id: $id}) RETURN c.embedding AS e",
                                    id=fx.claim_ids["a3_idle"]).records[0]["e"]
    assert np.allclose(got, vec)


def test_only_relationships_with_properties_carry_a_digest(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    rows = clean_neo4j.execute_query(
        f"MATCH ()-[r]->() RETURN type(r) AS t, size(keys(r)) AS n, r.{SYNC_PROPERTY} IS NULL AS bare").records
    for r in rows:
        # a relationship with properties has its digest; one without stays bare (no property record)
        assert r["bare"] == (r["n"] == 0), r
    types = {r["t"] for r in rows if r["bare"]}
    assert {"PUBLISHED_BY", "ABOUT", "ATTRIBUTED_TO", "PART_OF", "FLAGS", "FIRST_REPORTED_IN"} <= types
    assert not types & {"STATED_IN", "MENTIONS", "CITES", "CONTRADICTS", "COPIES"}


def test_a_digest_an_older_sync_left_on_a_bare_relationship_is_removed_once(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    dump = graph_dump(clean_neo4j)
    q = clean_neo4j.execute_query
    q(f"MATCH ()-[r:PART_OF]->() SET r.{SYNC_PROPERTY} = 'old-digest'")
    report = sync_record(fx.conn, clean_neo4j)
    assert report.relationships["PART_OF"] == EXPECTED_RELATIONSHIPS["PART_OF"]
    assert report.elements == EXPECTED_RELATIONSHIPS["PART_OF"]
    assert q(f"MATCH ()-[r:PART_OF]->() WHERE r.{SYNC_PROPERTY} IS NOT NULL RETURN count(r) AS n"
             ).records[0]["n"] == 0
    assert graph_dump(clean_neo4j) == dump
    assert sync_record(fx.conn, clean_neo4j).elements == 0


def test_an_edited_claim_updates_its_relationships(fx, clean_neo4j):
    sync_record(fx.conn, clean_neo4j)
    cid = fx.claim_ids["a3_idle"]
    with transaction(fx.conn):
        fx.conn.execute("UPDATE claims SET sentence_index = 3, start = start + 1 WHERE id = ?", (cid,))
        fx.conn.execute("UPDATE claim_entities SET entity_id = 'deepseek' WHERE claim_id = ?", (cid,))
    report = sync_record(fx.conn, clean_neo4j)
    # the claim's node is unchanged; STATED_IN is rewritten, ABOUT moves to the other entity
    assert report.nodes["Claim"] == 1          # `start` is also a claim property
    assert report.relationships["STATED_IN"] == 1
    assert report.relationships["ABOUT"] == 1 and report.deleted_relationships["ABOUT"] == 1
    assert report.elements == 3
    q = clean_neo4j.execute_query
    stated = q("MATCH (:Claim {id: $id})-[r:STATED_IN]->(:Article) RETURN r.sentence_index AS i", id=cid).records
    assert [r["i"] for r in stated] == [3]
    about = q("MATCH (:Claim {id: $id})-[:ABOUT]->(e:Entity) RETURN e.id AS e", id=cid).records
    assert [r["e"] for r in about] == ["deepseek"]
    nodes, rels = graph_counts(clean_neo4j)
    assert nodes == EXPECTED_NODES and rels == EXPECTED_RELATIONSHIPS
    assert sync_record(fx.conn, clean_neo4j).elements == 0


def test_relationships_find_nodes_the_sync_did_not_write(fx, clean_neo4j):
    """A re-sync writes relationships between nodes already there: their element ids come from the read."""
    sync_record(fx.conn, clean_neo4j)
    clean_neo4j.execute_query("MATCH ()-[r:CONTRADICTS|PART_OF]->() DELETE r")
    report = sync_record(fx.conn, clean_neo4j)
    assert sum(report.nodes.values()) == 0
    assert report.relationships["CONTRADICTS"] == EXPECTED_RELATIONSHIPS["CONTRADICTS"]
    assert report.relationships["PART_OF"] == EXPECTED_RELATIONSHIPS["PART_OF"]
    assert graph_counts(clean_neo4j)[1] == EXPECTED_RELATIONSHIPS
