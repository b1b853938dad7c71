"""Batched MERGE writer: idempotent, parameterized, strict about names and values."""
from __future__ import annotations

import pytest

from graph.neo4j_write import Writer, merge_nodes, merge_relationships


def _count(driver, query: str, **params) -> int:
    records, _, _ = driver.execute_query(query, params)
    return records[0]["n"]


ARTICLES = [
    {"id": "a1", "url": "https://example.org/1", "title": "Erster Bericht", "lang": "de"},
    {"id": "a2", "props": {"url": "https://example.org/2", "title": "Second report", "lang": "en"}},
]
SOURCES = [{"id": "s1", "name": "Example Zeitung", "domain": "example.org"}]
PUBLISHED = [{"start": "a1", "end": "s1", "props": {}}, {"start": "a2", "end": "s1"}]


def _write_all(driver):
    merge_nodes(driver, "Article", ARTICLES)
    merge_nodes(driver, "Source", SOURCES)
    return merge_relationships(driver, "PUBLISHED_BY", "Article", "Source", PUBLISHED)


def test_writing_twice_leaves_the_same_counts(clean_neo4j):
    assert _write_all(clean_neo4j) == 2
    counts = (_count(clean_neo4j, "MATCH (n) RETURN count(n) AS n"),
              _count(clean_neo4j, "MATCH ()-[r]->() RETURN count(r) AS n"))
    assert counts == (3, 2)
    assert _write_all(clean_neo4j) == 2
    assert (_count(clean_neo4j, "MATCH (n) RETURN count(n) AS n"),
            _count(clean_neo4j, "MATCH ()-[r]->() RETURN count(r) AS n")) == counts


def test_flat_and_props_rows_store_the_same_shape(clean_neo4j):
    merge_nodes(clean_neo4j, "Article", ARTICLES)
    records, _, _ = clean_neo4j.execute_query(
        "MATCH (a:Article) RETURN a.id AS id, a.title AS title, a.lang AS lang, keys(a) AS keys ORDER BY id")
    assert [(r["id"], r["title"], r["lang"]) for r in records] == [
        ("a1", "Erster Bericht", "de"), ("a2", "Second report", "en")]
    assert all("props" not in r["keys"] for r in records)


def test_rewrite_updates_properties_and_none_removes_them(clean_neo4j):
    merge_nodes(clean_neo4j, "Claim", [{"id": "c1", "value": 5.6, "unit": "USD", "hedged": True}])
    merge_nodes(clean_neo4j, "Claim", [{"id": "c1", "value": 6.0, "hedged": None}])
    records, _, _ = clean_neo4j.execute_query("MATCH (c:Claim) RETURN c.value AS v, c.unit AS u, c.hedged AS h")
    assert [(r["v"], r["u"], r["h"]) for r in records] == [(6.0, "USD", None)]


def test_relationship_properties_and_missing_endpoints(clean_neo4j):
    merge_nodes(clean_neo4j, "Claim", [{"id": "c1"}, {"id": "c2"}])
    rows = [
        {"start": "c1", "end": "c2", "props": {"reason": "different totals", "severity": "high"}},
        {"start": "c1", "end": "missing", "props": {"reason": "x"}},
    ]
    assert merge_relationships(clean_neo4j, "CONTRADICTS", "Claim", "Claim", rows) == 1
    rows[0]["props"]["severity"] = "medium"
    assert merge_relationships(clean_neo4j, "CONTRADICTS", "Claim", "Claim", rows) == 1
    records, _, _ = clean_neo4j.execute_query(
        "MATCH (:Claim {id: 'c1'})-[r:CONTRADICTS]->(:Claim {id: 'c2'}) RETURN r.reason AS reason, r.severity AS sev")
    assert [(r["reason"], r["sev"]) for r in records] == [("different totals", "medium")]


def test_small_batches_write_every_row(clean_neo4j):
    rows = [{"id": f"e{i}", "name": f"Entity {i}", "aliases": [f"E{i}", f"Ent {i}"]} for i in range(7)]
    assert merge_nodes(clean_neo4j, "Entity", rows, batch_size=2) == 7
    assert _count(clean_neo4j, "MATCH (e:Entity) RETURN count(e) AS n") == 7
    assert _count(clean_neo4j, "MATCH (e:Entity {id: 'e6'}) RETURN size(e.aliases) AS n") == 2


def test_generator_rows_and_custom_key(clean_neo4j):
    written = merge_nodes(clean_neo4j, "Source", ({"domain": d, "name": d.upper()} for d in ["a.de", "b.com"]),
                          key="domain")
    assert written == 2
    assert _count(clean_neo4j, "MATCH (s:Source {domain: 'b.com'}) RETURN count(s) AS n") == 1


@pytest.mark.parametrize("label", ["claim", "Claim) DETACH DELETE (n", "Claim:Flag", "", "Cläim", "Claim`"])
def test_unsafe_labels_are_rejected_before_any_query(clean_neo4j, label):
    with pytest.raises(ValueError, match="invalid label"):
        merge_nodes(clean_neo4j, label, [{"id": "x"}])
    with pytest.raises(ValueError, match="invalid relationship type"):
        merge_relationships(clean_neo4j, label, "Claim", "Claim", [{"start": "a", "end": "b"}])
    assert _count(clean_neo4j, "MATCH (n) RETURN count(n) AS n") == 0


def test_values_travel_as_parameters_not_cypher(clean_neo4j):
    nasty = "x'}) DETACH DELETE n //"
    merge_nodes(clean_neo4j, "Flag", [{"id": nasty, "reason": "\"}) MATCH (m) DETACH DELETE m"}])
    merge_nodes(clean_neo4j, "Flag", [{"id": "other"}])
    assert _count(clean_neo4j, "MATCH (f:Flag {id: $id}) RETURN count(f) AS n", id=nasty) == 1
    assert _count(clean_neo4j, "MATCH (f:Flag) RETURN count(f) AS n") == 2


@pytest.mark.parametrize("row", [
    {"id": "c", "nested": {"a": 1}},
    {"id": "c", "mixed": [1, "a"]},
    {"id": "c", "bad name": 1},
    {"name": "no id"},
])
def test_rows_neo4j_cannot_store_raise_a_clear_error(clean_neo4j, row):
    with pytest.raises(ValueError):
        merge_nodes(clean_neo4j, "Claim", [row])
    assert _count(clean_neo4j, "MATCH (n) RETURN count(n) AS n") == 0


def test_relationship_rows_need_both_ends(clean_neo4j):
    with pytest.raises(ValueError, match="start"):
        merge_relationships(clean_neo4j, "ABOUT", "Claim", "Entity", [{"start": "c1"}])


def test_create_writes_what_merge_writes_and_a_node_key_stays_unique(clean_neo4j):
    from neo4j.exceptions import ConstraintError

    from graph.neo4j_schema import ensure_schema

    ensure_schema(clean_neo4j)
    with Writer(clean_neo4j) as writer:
        nodes = writer.create_nodes("Article", ARTICLES)
        sources = writer.create_nodes("Source", SOURCES)
        rels = writer.create_relationships("PUBLISHED_BY", "Article", "Source", PUBLISHED)
    assert (nodes.result(), sources.result(), rels.result()) == (2, 1, 2)
    created = _count(clean_neo4j, "MATCH (a:Article {id: 'a2'})-[:PUBLISHED_BY]->(:Source {id: 's1'}) "
                                  "WHERE a.title = 'Second report' RETURN count(a) AS n")
    assert created == 1
    with pytest.raises(ConstraintError):
        with Writer(clean_neo4j) as writer:
            writer.create_nodes("Source", SOURCES)
    assert _count(clean_neo4j, "MATCH (s:Source) RETURN count(s) AS n") == 1


def test_relationships_by_element_id_skip_unknown_endpoints(clean_neo4j):
    from graph.neo4j_schema import ensure_schema
    from graph.neo4j_write import NodeRefs

    ensure_schema(clean_neo4j)
    refs = NodeRefs()
    with Writer(clean_neo4j) as writer:
        writer.create_nodes("Article", ARTICLES, refs=refs)
        writer.create_nodes("Source", SOURCES, refs=refs)
        rows = PUBLISHED + [{"start": "a-unknown", "end": "s1"}]
        bare = writer.create_relationships("PUBLISHED_BY", "Article", "Source", rows, refs=refs)
        cited = writer.create_relationships("CITES", "Article", "Source",
                                            [{"start": "a1", "end": "s1", "props": {"kind": "link"}}], refs=refs)
    assert (bare.result(), cited.result()) == (2, 1)
    got = {r["id"]: r["eid"] for r in clean_neo4j.execute_query(
        "MATCH (n) RETURN n.id AS id, elementId(n) AS eid").records}
    assert refs.of("Article") == {"a1": got["a1"], "a2": got["a2"]} and refs.of("Source") == {"s1": got["s1"]}
    rels = clean_neo4j.execute_query(
        "MATCH (a:Article)-[r]->(s:Source) RETURN a.id AS a, type(r) AS t, properties(r) AS p ORDER BY a, t").records
    assert [(r["a"], r["t"], r["p"]) for r in rels] == [
        ("a1", "CITES", {"kind": "link"}), ("a1", "PUBLISHED_BY", {}), ("a2", "PUBLISHED_BY", {})]


def test_quiet_list_packs_like_a_list_with_a_short_repr(clean_neo4j):
    from graph.neo4j_write import QuietList

    rows = QuietList([[1, "a", {"x": b"\x00\x01"}], [2, "b", {}]])
    assert repr({"rows": rows}) == "{'rows': <2 items>}"
    records, _, _ = clean_neo4j.execute_query("UNWIND $rows AS row RETURN row", rows=rows)
    assert [r["row"] for r in records] == [[1, "a", {"x": b"\x00\x01"}], [2, "b", {}]]


def test_a_second_writer_runs_after_the_first_ones_checkpoint(clean_neo4j):
    """`after(checkpoint())`: the second writer's batch sees every node the first one wrote before
    the checkpoint, however long they take, and the first one's later batches wait for it in turn."""
    with Writer(clean_neo4j) as first, Writer(clean_neo4j) as second:
        first.merge_nodes("Claim", ({"id": f"c{i}", "n": i} for i in range(3000)), batch_size=500)
        second.after(first.checkpoint())
        tagged = second.submit("MATCH (c:Claim) SET c.tagged = true RETURN count(c) AS n")
        first.after(second.checkpoint())
        late = first.submit("MATCH (c:Claim) WHERE c.tagged RETURN count(c) AS n")
    assert tagged.result() == 3000
    assert late.result() == 3000


def test_a_failed_checkpoint_skips_the_writer_that_waits_for_it(clean_neo4j):
    from neo4j.exceptions import CypherSyntaxError

    with pytest.raises(CypherSyntaxError):
        with Writer(clean_neo4j) as first, Writer(clean_neo4j) as second:
            first.submit("THIS IS NOT CYPHER")
            second.after(first.checkpoint())
            skipped = second.submit("CREATE (n:Claim {id: 'never'}) RETURN count(n) AS n")
    with pytest.raises(CypherSyntaxError):
        skipped.result()
    assert _count(clean_neo4j, "MATCH (n:Claim) RETURN count(n) AS n") == 0
