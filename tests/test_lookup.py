"""Claim lookup (queries/lookup.py): the right fact first, German or English, same answer in both engines.

Uses the real bundled sentence-transformers model (offline) and a real Neo4j.
"""
from __future__ import annotations

import numpy as np
import pytest

from graph.projection import sync_record
from graph.record import transaction
from graph_fixture import build_record, reanalyze
from graph.embeddings import text_key
from graph.store import load_claim_records
from queries.claim_embeddings import assign_embedding_keys, claim_embedding_text, index_claim_embeddings
from queries.lookup import LookupIndex, embed_query, lookup, lookup_neo4j
from queries.search_index import ensure_search_index, refresh_search_index
from queries.search_text import load_lexicon, plan_query, probe_pairs, tokens
from queries.vectors import ClaimVectors

QUERIES = [
    ("Trainingskosten DeepSeek", "fact-train"),
    ("DeepSeek training cost", "fact-train"),
    ("wie viel Rechenkapazität steht leer", "fact-idle"),
    ("H100 rental price", "fact-rent"),
    ("Mietpreis für einen H100-Server", "fact-rent"),
    ("how much computing capacity is idle in China", "fact-idle"),
    ("Hardware-Ausgaben von DeepSeek", "fact-hw"),
]


@pytest.fixture(scope="module")
def embedder():
    from graph.embeddings import Embedder
    from graph.link_config import default_embedding_model

    try:
        model = default_embedding_model()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    return Embedder(model, precision="float32")     # some tests compare vectors bit for bit


@pytest.fixture(scope="module")
def setup(neo4j_driver, tmp_path_factory, embedder):
    """The fixture record with real claim embeddings, indexed and synced to an empty graph."""
    fx = build_record(tmp_path_factory.mktemp("lookup") / "record.db")
    assert index_claim_embeddings(fx.conn, embedder) == len(fx.claim_ids)
    refresh_search_index(fx.conn)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    sync_record(fx.conn, neo4j_driver)
    return fx, LookupIndex(fx.conn, embedder)


@pytest.mark.parametrize("query,fact", QUERIES)
def test_right_fact_first_in_both_engines(setup, neo4j_driver, embedder, query, fact):
    fx, index = setup
    embedded = lookup(fx.conn, query, limit=5, embedder=embedder, index=index)
    graph = lookup_neo4j(neo4j_driver, query, limit=5, embedder=embedder)
    assert embedded[0].fact_id == fact
    assert graph == embedded


@pytest.mark.parametrize("query", [q for q, _ in QUERIES] + ["75.000 Yuan", "SemiAnalysis", "", "??"])
def test_same_results_without_embeddings(setup, neo4j_driver, query):
    fx, _ = setup
    embedded = lookup(fx.conn, query, limit=10)
    assert lookup_neo4j(neo4j_driver, query, limit=10) == embedded
    if tokens(query):
        assert embedded, query


def test_fact_group_contents(setup, embedder):
    fx, index = setup
    result = lookup(fx.conn, "Trainingskosten DeepSeek", limit=3, embedder=embedder, index=index)[0]
    assert (result.fact_id, result.subject, result.measure_key, result.unit, result.verdict) == (
        "fact-train", "DeepSeek", "training_cost", "USD", "contradictory")
    assert [(c.display, c.source, c.published, c.hedged, c.attributed_to) for c in result.claims] == [
        ("5.6 M USD", "Techblatt", "2025-01-28", True, []),
        ("≈ 6 M USD", "Pacific Wire", "2025-01-30", False, ["DeepSeek"]),
        ("12 M USD", "Copyblog", "2025-02-05", True, []),
    ]
    assert result.sources == [("Techblatt", "2025-01-28"), ("Pacific Wire", "2025-01-30"),
                              ("Copyblog", "2025-02-05")]
    assert all(c.score > 0 for c in result.claims)
    c = fx.claim_ids
    assert [(f.kind, f.severity, f.claims) for f in result.flags] == [
        ("contradiction", "high", sorted([c["a1_train"], c["a4_train"]])),
        ("contradiction", "medium", sorted([c["a2_train"], c["a4_train"]])),
        ("corroboration", "info", sorted([c["a1_train"], c["a2_train"]])),
        ("hedged", "low", [c["a1_train"]]),
    ]
    rent = lookup(fx.conn, "H100 rental price", limit=1, embedder=embedder, index=index)[0]
    assert sorted(h.display for h in rent.claims) == [
        "10,300 USD / month", "75,000 CNY / month", "75,000 CNY / month", "≈ 180,000 CNY / month"]
    assert {f.kind for f in rent.flags} == {"corroboration", "change_over_time"}


def test_claims_without_a_fact_form_their_own_group(setup, neo4j_driver, tmp_path):
    fx = build_record(tmp_path / "nofacts.db")
    with transaction(fx.conn):
        fx.conn.execute("DELETE FROM facts WHERE id = 'fact-hw'")
    try:
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
        sync_record(fx.conn, neo4j_driver)
        results = lookup(fx.conn, "SemiAnalysis Hardware", limit=3)
        assert results[0].fact_id is None and results[0].verdict == "single"
        assert [h.claim_id for h in results[0].claims] == [fx.claim_ids["a1_hw"]]
        assert results[0].subject == "DeepSeek" and results[0].measure_key == "spending"
        assert lookup_neo4j(neo4j_driver, "SemiAnalysis Hardware", limit=3) == results
    finally:  # give the other tests of this module their graph back
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
        sync_record(setup[0].conn, neo4j_driver)


def test_search_index_follows_the_record(tmp_path):
    fx = build_record(tmp_path / "r.db")
    assert ensure_search_index(fx.conn) is True       # never built: built now
    assert ensure_search_index(fx.conn) is False      # unchanged record: kept
    assert lookup(fx.conn, "Trainingskosten DeepSeek")[0].fact_id == "fact-train"
    new_id = reanalyze(fx, "a1", "Die Firma Quantenwerk meldete Trainingskosten von 9 Millionen Euro.",
                       "9 Millionen Euro", 9e6)
    results = lookup(fx.conn, "Quantenwerk")            # rebuilt because claims changed
    assert [h.claim_id for r in results for h in r.claims] == [new_id]
    gone = fx.claim_ids["a1_hw"]
    assert gone not in {h.claim_id for r in lookup(fx.conn, "SemiAnalysis Hardware") for h in r.claims}
    count = fx.conn.execute("SELECT COUNT(*) FROM claim_search").fetchone()[0]
    assert count == fx.conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]


def test_query_plan_splits_compounds_and_adds_synonyms():
    lexicon = load_lexicon()
    vocabulary = {"training", "kosten", "deepseek", "rechenkapazitaten", "leer", "mietpreis"}

    def probe(pairs):
        return probe_pairs(pairs, vocabulary.__contains__, lambda p: any(v.startswith(p) for v in vocabulary))

    plan = plan_query("Wie hoch waren die Trainingskosten von DeepSeek?", lexicon, probe)
    assert [c.word for c in plan.concepts] == ["hoch", "trainingskosten", "deepseek"]
    train = plan.concepts[1]
    slots = [alt.slots for alt in train.alternatives if len(alt.slots) == 2]
    assert slots, "the compound was not split"
    assert {p.term for p in slots[0][0]} == {"training"}
    assert {"kost", "cost"} <= {p.term for p in slots[0][1]}
    fts = plan.expression("fts5", "all")
    assert '"deepseek"*' in fts and " AND " in fts
    assert "deepseek*" in plan.expression("lucene", "any")
    number = plan_query("80 Prozent", lexicon, probe).concepts[0]
    assert number.alternatives[0].slots[0][0].prefix is False   # "80" must not match "800"


def test_sketch_search_agrees_with_exact_search(setup, embedder):
    fx, index = setup
    exact = ClaimVectors.load(fx.conn, embedder.name)
    sketch = ClaimVectors.load(fx.conn, embedder.name, exact_limit=0)
    from_record = ClaimVectors.load(fx.conn, embedder.name, exact_limit=0, keep_limit=0)
    assert exact.codes is None and sketch.codes is not None and sketch.matrix is not None
    assert from_record.matrix is None and from_record.codes is not None
    for query, _ in QUERIES:
        q = embed_query(embedder, query)
        best = exact.nearest(fx.conn, q, 3)
        assert sketch.nearest(fx.conn, q, 3) == best
        assert from_record.nearest(fx.conn, q, 3) == best


def test_claim_keys_come_from_the_shared_cache_without_the_model(setup, embedder, tmp_path):
    fx, _ = setup
    recs = load_claim_records(fx.conn)
    rec = next(r for r in recs if r.claim_id == fx.claim_ids["a1_train"])
    text = claim_embedding_text(rec)
    assert "DeepSeek" in text and "Trainingskosten" in text and "5,6" not in text
    with transaction(fx.conn):
        fx.conn.execute("UPDATE claims SET embedding_key = NULL, embedding_model = NULL")
    computed = embedder.computed
    assert assign_embedding_keys(fx.conn, embedder.name) == len(fx.claim_ids)
    assert embedder.computed == computed          # every vector came from the cache
    keys = dict(fx.conn.execute("SELECT id, embedding_key FROM claims"))
    assert keys[rec.claim_id] == text_key(text)


def test_vectors_are_unit_scored(setup, embedder):
    fx, _ = setup
    vectors = ClaimVectors.load(fx.conn, embedder.name)
    q = embed_query(embedder, "DeepSeek training cost")
    assert q.dtype == np.float32 and q.shape == (384,)
    top = vectors.nearest(fx.conn, q, len(vectors))
    assert sorted(top) == sorted(vectors.ids)


def test_question_embedding_is_bit_identical_to_the_batch_encoder(embedder):
    """The lookup's lean one-text path (Embedder.encode_one) gives exactly encode()'s vector,
    so a question scores the same whichever path embedded it, also past the model's 256 tokens."""
    texts = ["Trainingskosten DeepSeek", "H100 rental price", "wie viel Rechenkapazität steht leer?",
             "x", " ".join(["Rechenzentren in Ningxia stehen leer"] * 80)]
    for text in texts:
        one = embedder.encode_one(text)
        batch = embedder.encode([text])[0]
        assert one.dtype == np.float32 and one.shape == batch.shape
        assert np.array_equal(one, batch), text
    assert np.array_equal(embed_query(embedder, texts[0]), embedder.encode([texts[0]])[0])


def _store_files(conn) -> list:
    from queries.vectors import VectorStore

    store = VectorStore.beside(conn, "any")
    return sorted(p.name for p in store.directory.iterdir()) if store.directory.exists() else []


def test_persisted_vectors_are_reused_and_follow_the_record(tmp_path, embedder):
    """A new process maps the saved vectors; new claims and embeddings are seen, never old files."""
    fx = build_record(tmp_path / "r.db")
    index_claim_embeddings(fx.conn, embedder)
    query = "Quantenwerk Trainingskosten"
    first = LookupIndex(fx.conn, embedder)
    before = lookup(fx.conn, query, limit=3, embedder=embedder, index=first)
    assert isinstance(first._vectors.matrix, np.ndarray) and _store_files(fx.conn)
    again = LookupIndex(fx.conn, embedder)              # as the next CLI call would
    assert lookup(fx.conn, query, limit=3, embedder=embedder, index=again) == before
    assert isinstance(again._vectors.matrix, np.memmap)

    new_id = reanalyze(fx, "a1", "Die Firma Quantenwerk meldete Trainingskosten von 9 Millionen Euro.",
                       "9 Millionen Euro", 9e6)
    index_claim_embeddings(fx.conn, embedder)           # the new claim's context is embedded
    fresh = LookupIndex(fx.conn, embedder)
    results = lookup(fx.conn, query, limit=3, embedder=embedder, index=fresh)
    assert new_id in fresh._vectors.row_of and results[0].claims[0].claim_id == new_id
    in_process = lookup(fx.conn, query, limit=3, embedder=embedder, index=first)  # the old index follows too
    assert in_process == results
    reference = ClaimVectors.load(fx.conn, embedder.name)
    assert fresh._vectors.ids == reference.ids
    assert np.array_equal(np.asarray(fresh._vectors.matrix), reference.matrix)
    assert len([f for f in _store_files(fx.conn) if f.endswith(".matrix.npy")]) == 1   # old build removed


@pytest.mark.parametrize("damage", ["truncate", "delete", "garbage_meta"])
def test_damaged_vector_store_is_rebuilt(tmp_path, embedder, damage):
    from queries.vectors import VectorStore

    fx = build_record(tmp_path / "r.db")
    index_claim_embeddings(fx.conn, embedder)
    expected = lookup(fx.conn, "DeepSeek training cost", limit=3, embedder=embedder)
    store = VectorStore.beside(fx.conn, embedder.name)
    matrix = next(store.directory.glob("*.matrix.npy"))
    if damage == "truncate":
        matrix.write_bytes(matrix.read_bytes()[:200])
    elif damage == "delete":
        matrix.unlink()
    else:
        store.meta_path.write_text("{not json")
    index = LookupIndex(fx.conn, embedder)
    assert lookup(fx.conn, "DeepSeek training cost", limit=3, embedder=embedder, index=index) == expected
    assert isinstance(index._vectors.matrix, np.ndarray) and not isinstance(index._vectors.matrix, np.memmap)
    reopened = LookupIndex(fx.conn, embedder)           # the rebuild was saved again
    reopened.backend()
    assert isinstance(reopened._vectors.matrix, np.memmap)
