"""The lookup quality bar on the bundled sample corpus, end to end.

samples/articles -> ingest -> NLP -> linking -> claim embeddings -> lookup
(the `samples_record` fixture of conftest.py), in SQLite and through Neo4j: each question must return the right fact group first,
and both engines must agree.
"""
from __future__ import annotations

import pytest

from graph.projection import sync_record
from graph.record import open_record

# question -> (measure_key of the right fact, a word its subject must contain or None)
QUESTIONS = {
    "Trainingskosten DeepSeek": ("training_cost", "deepseek"),
    "DeepSeek training cost": ("training_cost", "deepseek"),
    "wie viel Rechenkapazität steht leer": ("idle_capacity", None),
    "H100 rental price": ("rental_price", "h100"),
}


@pytest.fixture(scope="module")
def samples_graph(samples_record, neo4j_driver):
    conn, _ = samples_record
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    sync_record(conn, neo4j_driver)
    return neo4j_driver


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_right_fact_group_first(samples_record, samples_graph, question):
    from queries.lookup import lookup, lookup_neo4j

    conn, embedder = samples_record
    results = lookup(conn, question, limit=5, embedder=embedder)
    measure, subject_word = QUESTIONS[question]
    first = results[0]
    assert first.measure_key == measure, [(r.measure_key, r.subject) for r in results]
    if subject_word:
        assert subject_word in (first.subject or "").lower()
    assert first.claims and all(c.source and c.display for c in first.claims)
    assert lookup_neo4j(samples_graph, question, limit=5, embedder=embedder) == results
