"""Schema of the Neo4j projection: idempotent, and each index does its job."""
from __future__ import annotations

import pytest

from graph import neo4j_schema, neo4j_write


def _index_names(driver) -> set[str]:
    records, _, _ = driver.execute_query("SHOW INDEXES YIELD name RETURN name")
    return {r["name"] for r in records}


def _constraints(driver) -> set[tuple[str, str]]:
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "RETURN name, type, labelsOrTypes[0] AS label, properties[0] AS prop"
    )
    return {(r["label"], r["prop"]) for r in records if r["type"] == "UNIQUENESS"}


def test_ensure_schema_twice_gives_the_same_indexes(clean_neo4j):
    names = neo4j_schema.ensure_schema(clean_neo4j)
    first = _index_names(clean_neo4j)
    assert neo4j_schema.ensure_schema(clean_neo4j) == names
    assert _index_names(clean_neo4j) == first
    assert set(names) <= first  # uniqueness constraints are backed by indexes of the same name
    assert {(label, "id") for label in neo4j_schema.NODE_LABELS} <= _constraints(clean_neo4j)


def test_extra_indexes_are_created_and_checked_with_the_schema(clean_neo4j):
    extra = {"claim_extra": "CREATE FULLTEXT INDEX claim_extra IF NOT EXISTS FOR (n:Claim) ON EACH [n.sentence]"}
    try:
        names = neo4j_schema.ensure_schema(clean_neo4j, extra=extra)
        assert "claim_extra" in _index_names(clean_neo4j)
        assert neo4j_schema.ensure_schema(clean_neo4j, extra=extra) == names
    finally:
        clean_neo4j.execute_query("DROP INDEX claim_extra IF EXISTS")


def test_indexes_are_online_with_expected_types(clean_neo4j):
    neo4j_schema.ensure_schema(clean_neo4j)
    records, _, _ = clean_neo4j.execute_query(
        "SHOW INDEXES YIELD name, type, state, labelsOrTypes, properties, options "
        "WHERE name IN $names RETURN name, type, state, labelsOrTypes, properties, options",
        {"names": ["claim_text", "entity_names", "claim_embedding"]},
    )
    by_name = {r["name"]: r for r in records}
    assert {r["state"] for r in records} == {"ONLINE"}
    assert by_name["claim_text"]["type"] == "FULLTEXT"
    assert set(by_name["claim_text"]["properties"]) == {"text", "measure", "span", "subject"}
    assert by_name["entity_names"]["labelsOrTypes"] == ["Entity"]
    # updated after each commit by Neo4j's background thread; readers use await_indexes
    for name in ("claim_text", "entity_names"):
        assert by_name[name]["options"]["indexConfig"]["fulltext.eventually_consistent"] is True
    vector = by_name["claim_embedding"]
    assert vector["type"] == "VECTOR"
    assert vector["options"]["indexConfig"]["vector.dimensions"] == 384
    assert vector["options"]["indexConfig"]["vector.similarity_function"].lower() == "cosine"


def test_uniqueness_constraint_rejects_a_duplicate_id(clean_neo4j):
    from neo4j.exceptions import ConstraintError

    neo4j_schema.ensure_schema(clean_neo4j)
    clean_neo4j.execute_query("CREATE (:Source {id: $id})", {"id": "src-1"})
    with pytest.raises(ConstraintError):
        clean_neo4j.execute_query("CREATE (:Source {id: $id})", {"id": "src-1"})


def test_fulltext_indexes_find_claim_wording_and_entity_aliases(clean_neo4j):
    neo4j_schema.ensure_schema(clean_neo4j)
    neo4j_write.merge_nodes(clean_neo4j, "Claim", [
        {"id": "c1", "text": "Die Firma gab für das Training ihres Modells rund sechs Millionen Dollar aus.",
         "measure": "Trainingskosten", "span": "sechs Millionen Dollar", "subject": "Modell"},
        {"id": "c2", "text": "The startup hired 140 engineers last year.", "measure": "headcount",
         "span": "140", "subject": "startup"},
    ])
    neo4j_write.merge_nodes(clean_neo4j, "Entity", [
        {"id": "e1", "name": "Volksrepublik China", "type": "GPE", "aliases": ["China", "VR China", "PRC"]},
    ])
    neo4j_schema.await_indexes(clean_neo4j)   # the full-text indexes are eventually consistent

    records, _, _ = clean_neo4j.execute_query(
        "CALL db.index.fulltext.queryNodes('claim_text', $q) YIELD node RETURN node.id AS id", {"q": "Trainingskosten"})
    assert [r["id"] for r in records] == ["c1"]
    records, _, _ = clean_neo4j.execute_query(
        "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node RETURN node.id AS id", {"q": "PRC"})
    assert [r["id"] for r in records] == ["e1"]


def test_vector_index_returns_the_nearest_claim(clean_neo4j):
    neo4j_schema.ensure_schema(clean_neo4j)
    dim = 384
    near = [1.0] + [0.0] * (dim - 1)
    far = [0.0] * (dim - 1) + [1.0]
    neo4j_write.merge_nodes(clean_neo4j, "Claim", [
        {"id": "near", "text": "a", "embedding": near},
        {"id": "far", "text": "b", "embedding": far},
    ])
    clean_neo4j.execute_query("CALL db.awaitIndexes(60)")
    query = [0.9, 0.1] + [0.0] * (dim - 2)
    records, _, _ = clean_neo4j.execute_query(
        "CALL db.index.vector.queryNodes('claim_embedding', 1, $vector) YIELD node, score "
        "RETURN node.id AS id, score", {"vector": query})
    assert [r["id"] for r in records] == ["near"]


def test_a_different_embedding_dimension_is_reported(clean_neo4j):
    neo4j_schema.ensure_schema(clean_neo4j)
    with pytest.raises(ValueError, match="DROP INDEX claim_embedding"):
        neo4j_schema.ensure_schema(clean_neo4j, embedding_dim=768)


@pytest.mark.parametrize("dim", [0, -3, 5000, 1.5, True, "384"])
def test_invalid_embedding_dimension_is_rejected(dim):
    with pytest.raises(ValueError, match="embedding_dim"):
        neo4j_schema.schema_statements(dim)
