"""The Cypher query library (queries/*.cypher, queries/library.py) on a real Neo4j."""
from __future__ import annotations

import re

import pytest

from graph.projection import sync_record
from graph_fixture import build_record
from queries.library import (QUERY_DIR, QueryError, bind_params, get_query, list_queries,
                             parse_header, parse_params, run_cypher, run_query)

REQUIRED_QUERIES = {
    "contradictions", "claims_about_entity", "claim_provenance", "sources_by_contradictions",
    "single_source_facts", "ai_and_hedging_sources", "entity_neighbourhood", "who_reported_first",
    "fact_disagreements",
}


@pytest.fixture(scope="module")
def graph(neo4j_driver, tmp_path_factory):
    """The fixture record synced into an otherwise empty graph, shared by this module's tests."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    fx = build_record(tmp_path_factory.mktemp("queries") / "record.db")
    sync_record(fx.conn, neo4j_driver)
    return fx


# -- headers and parameters (no database needed) ------------------------------------------------------

def test_every_query_documents_itself():
    queries = {q.name: q for q in list_queries()}
    assert REQUIRED_QUERIES <= set(queries)
    for q in queries.values():
        assert len(q.description) > 40, q.name
        assert q.example.startswith("{") and q.example.endswith("}"), q.name
        assert all(p.description for p in q.params), q.name
        used = set(re.findall(r"\$(\w+)", q.text))
        assert used == {p.name for p in q.params}, q.name
        assert "+ $" not in q.text and "$" + "{" not in q.text  # values are never spliced into text


def test_header_parsing():
    text = ("// Finds things.\n// More words.\n//\n// @param who required  The name.\n"
            "// @param n 5  How many.\n// @param flag false  A switch.\n"
            "// @example {a: 1,\n//   b: 2}\nMATCH (x) WHERE x.name = $who AND $flag RETURN x LIMIT $n\n")
    q = parse_header("demo", text)
    assert q.description == "Finds things. More words."
    assert [(p.name, p.required, None if p.required else p.default) for p in q.params] == [
        ("who", True, None), ("n", False, 5), ("flag", False, False)]
    assert q.example == "{a: 1, b: 2}"
    assert ", ".join(q.params) == "who, n, flag"          # a parameter reads as its name
    assert q.params[1].description == "How many."
    assert bind_params(q, {"who": "x"}) == {"who": "x", "n": 5, "flag": False}
    with pytest.raises(QueryError, match="needs who="):
        bind_params(q, {})
    with pytest.raises(QueryError, match="has no parameter"):
        bind_params(q, {"who": "x", "nope": 1})
    with pytest.raises(QueryError, match="undeclared parameter"):
        parse_header("bad", "// Says what it does.\nRETURN $secret\n")
    with pytest.raises(QueryError, match="no description"):
        parse_header("bare", "RETURN 1\n")


def test_parse_params_types_values():
    assert parse_params(["a=1", "b=2.5", "c=true", "d=null", "e=DeepSeek", 'f=["x", "y"]',
                         "g=-3", "h=1e3", "i=H100 Preis", 'j={"k": 1}', "k="]) == {
        "a": 1, "b": 2.5, "c": True, "d": None, "e": "DeepSeek", "f": ["x", "y"], "g": -3,
        "h": 1000.0, "i": "H100 Preis", "j": {"k": 1}, "k": ""}
    with pytest.raises(QueryError, match="key=value"):
        parse_params(["novalue"])
    with pytest.raises(QueryError, match="JSON"):
        parse_params(["x=[1, 2"])


def test_unknown_query_lists_the_known_ones():
    with pytest.raises(QueryError, match="contradictions"):
        get_query("no_such_query")


def test_query_files_are_in_the_package_dir():
    assert {p.stem for p in QUERY_DIR.glob("*.cypher")} >= REQUIRED_QUERIES


# -- every query against the fixture graph ------------------------------------------------------------

def test_contradictions(graph, neo4j_driver):
    c, a = graph.claim_ids, graph.article_ids
    rows = run_query(neo4j_driver, "contradictions", {})
    assert rows == [
        {"fact": "fact-train", "subject": "DeepSeek", "measure": "training_cost", "severity": "high",
         "reason": "5.6 M USD vs 12 M USD for the same training run",
         "claim_a": c["a4_train"], "span_a": "12 Millionen US-Dollar", "value_a": 12e6, "unit_a": "USD",
         "source_a": "Copyblog", "published_a": "2025-02-05",
         "claim_b": c["a1_train"], "span_b": "5,6 Millionen US-Dollar", "value_b": 5.6e6, "unit_b": "USD",
         "source_b": "Techblatt", "published_b": "2025-01-28"},
        {"fact": "fact-train", "subject": "DeepSeek", "measure": "training_cost", "severity": "medium",
         "reason": "about 6 M USD vs 12 M USD",
         "claim_a": c["a4_train"], "span_a": "12 Millionen US-Dollar", "value_a": 12e6, "unit_a": "USD",
         "source_a": "Copyblog", "published_a": "2025-02-05",
         "claim_b": c["a2_train"], "span_b": "about 6 million dollars", "value_b": 6e6, "unit_b": "USD",
         "source_b": "Pacific Wire", "published_b": "2025-01-30"},
    ]
    assert run_query(neo4j_driver, "contradictions", {"entity": "deepseek", "limit": 1}) == rows[:1]
    assert run_query(neo4j_driver, "contradictions", {"entity": "Volksrepublik China"}) == []


def test_claims_about_entity(graph, neo4j_driver):
    c = graph.claim_ids
    rows = run_query(neo4j_driver, "claims_about_entity", {"entity": "DeepSeek", "measure": "training_cost"})
    assert [(r["published"], r["value"], r["qualifier"], r["source"], r["hedged"], r["fact"], r["claim"])
            for r in rows] == [
        ("2025-01-28", 5.6e6, "exact", "Techblatt", True, "fact-train", c["a1_train"]),
        ("2025-01-30", 6e6, "approx", "Pacific Wire", False, "fact-train", c["a2_train"]),
        ("2025-02-05", 12e6, "exact", "Copyblog", True, "fact-train", c["a4_train"]),
    ]
    assert rows[1] == {"entity": "DeepSeek", "measure": "training_cost", "published": "2025-01-30",
                       "value": 6e6, "low": 5.7e6, "high": 6.3e6, "qualifier": "approx", "unit": "USD",
                       "per": None, "time": None, "span": "about 6 million dollars", "hedged": False,
                       "source": "Pacific Wire", "fact": "fact-train", "claim": c["a2_train"]}
    rent = run_query(neo4j_driver, "claims_about_entity", {"entity": "H100"})
    assert [(r["published"], r["value"], r["per"], r["time"]) for r in rent] == [
        ("2025-01-30", 75000.0, "month", "now"),
        ("2025-02-03", 75000.0, "month", "jetzt"),
    ]
    all_deepseek = run_query(neo4j_driver, "claims_about_entity", {"entity": "deepseek"})
    assert [r["measure"] for r in all_deepseek] == ["spending"] + ["training_cost"] * 3


def test_claim_provenance(graph, neo4j_driver):
    c, a = graph.claim_ids, graph.article_ids
    (row,) = run_query(neo4j_driver, "claim_provenance", {"claim_id": c["a4_idle"]})
    assert row == {
        "claim": c["a4_idle"], "span": "Bis zu 80 Prozent", "value": 80.0, "unit": "percent",
        "sentence": "Bis zu 80 Prozent der neuen Rechenkapazitäten in China stehen leer.",
        "publisher": "Copyblog", "article": a["a4"], "url": "https://copyblog.example/ki-blase",
        "published": "2025-02-05", "attributed_to": [], "attributed_entities": [],
        "citations": [{"source": "Marktecho", "kind": "source_line", "text": "Quelle: Marktecho"}],
        "copied_from": [{"source": "Marktecho", "article": a["a3"], "hops": 1, "similarity": 0.82}],
        "copied_by": [], "converts": None, "fact": "fact-idle", "first_reporter": "Marktecho",
        "first_published": "2025-02-03", "first_article": a["a3"], "is_first_report": False,
    }
    (rent,) = run_query(neo4j_driver, "claim_provenance", {"claim_id": c["a2_rent_usd"]})
    assert rent["converts"] == "75,000 yuan" and rent["is_first_report"] is True
    (rent,) = run_query(neo4j_driver, "claim_provenance", {"claim_id": c["a2_rent"]})
    assert rent["attributed_to"] == ["Zhineng Yongxian"]
    assert rent["attributed_entities"] == ["Zhineng Yongxian"]
    assert rent["citations"] == [{"source": "zhineng.example", "kind": "link", "text": "Zhineng Yongxian"}]
    (orig,) = run_query(neo4j_driver, "claim_provenance", {"claim_id": c["a3_idle"]})
    assert orig["copied_by"] == [{"source": "Copyblog", "article": a["a4"], "similarity": 0.82}]
    assert run_query(neo4j_driver, "claim_provenance", {"claim_id": "no-such-claim"}) == []


def test_sources_by_contradictions(graph, neo4j_driver):
    rows = run_query(neo4j_driver, "sources_by_contradictions", {})
    assert rows == [
        {"source": "Copyblog", "claims": 2, "contradicted_claims": 1, "contradicted_share": 0.5,
         "times_copied": 0, "copies_made": 1, "score": 1},
        {"source": "Techblatt", "claims": 2, "contradicted_claims": 1, "contradicted_share": 0.5,
         "times_copied": 0, "copies_made": 0, "score": 1},
        {"source": "Pacific Wire", "claims": 3, "contradicted_claims": 1, "contradicted_share": 0.333,
         "times_copied": 0, "copies_made": 0, "score": 1},
        {"source": "Marktecho", "claims": 3, "contradicted_claims": 0, "contradicted_share": 0.0,
         "times_copied": 1, "copies_made": 0, "score": 1},
    ]


def test_single_source_facts(graph, neo4j_driver):
    assert run_query(neo4j_driver, "single_source_facts", {}) == [
        {"fact": "fact-hw", "subject": "DeepSeek", "measure": "spending", "verdict": "single",
         "independent_source": "Techblatt", "sources": ["Techblatt"], "claims": 1},
        {"fact": "fact-idle", "subject": "Rechenkapazitäten in China", "measure": "idle_capacity",
         "verdict": "consistent", "independent_source": "Marktecho", "sources": ["Copyblog", "Marktecho"],
         "claims": 2},
    ]


def test_ai_and_hedging_sources(graph, neo4j_driver):
    assert run_query(neo4j_driver, "ai_and_hedging_sources", {}) == [
        {"source": "Copyblog", "articles": 1, "ai_articles": 1, "claims": 2, "hedged_claims": 1,
         "hedged_share": 0.5},
        {"source": "Techblatt", "articles": 1, "ai_articles": 0, "claims": 2, "hedged_claims": 1,
         "hedged_share": 0.5},
    ]


def test_entity_neighbourhood(graph, neo4j_driver):
    rows = run_query(neo4j_driver, "entity_neighbourhood", {"entity": "SemiAnalysis"})
    assert rows == [{"entity": "SemiAnalysis", "neighbour": "DeepSeek", "type": "ORG", "distance": 1,
                     "shared_articles": 1, "shared_claims": 1}]
    wider = run_query(neo4j_driver, "entity_neighbourhood", {"entity": "SemiAnalysis", "depth": 2})
    assert [(r["neighbour"], r["distance"]) for r in wider] == [
        ("DeepSeek", 1), ("China", 2), ("Nvidia H100", 2), ("Zhineng Yongxian", 2)]


def test_who_reported_first(graph, neo4j_driver):
    rows = run_query(neo4j_driver, "who_reported_first", {})
    assert rows == [
        {"fact": "fact-idle", "subject": "Rechenkapazitäten in China", "measure": "idle_capacity",
         "first_source": "Marktecho", "first_published": "2025-02-03",
         "first_url": "https://marktecho.example/leere-rechenzentren",
         "later": [{"source": "Copyblog", "published": "2025-02-05"}],
         "copies": [{"source": "Copyblog", "copied": "Marktecho", "similarity": 0.82}]},
        {"fact": "fact-rent", "subject": "Nvidia H100", "measure": "rental_price",
         "first_source": "Pacific Wire", "first_published": "2025-01-30",
         "first_url": "https://pacificwire.example/deepseek-cost",
         "later": [{"source": "Marktecho", "published": "2025-02-03"}], "copies": []},
        {"fact": "fact-train", "subject": "DeepSeek", "measure": "training_cost",
         "first_source": "Techblatt", "first_published": "2025-01-28",
         "first_url": "https://techblatt.example/deepseek-kosten",
         "later": [{"source": "Pacific Wire", "published": "2025-01-30"},
                   {"source": "Copyblog", "published": "2025-02-05"}], "copies": []},
    ]
    single = run_query(neo4j_driver, "who_reported_first", {"fact": "fact-hw"})
    assert [(r["fact"], r["first_source"], r["later"]) for r in single] == [("fact-hw", "Techblatt", [])]


def test_fact_disagreements(graph, neo4j_driver):
    rows = run_query(neo4j_driver, "fact_disagreements", {"query": "DeepSeek: Training (V3)?"})
    assert [(r["fact"], r["source_a"], r["value_a"], r["source_b"], r["value_b"], r["severity"])
            for r in rows] == [
        ("fact-train", "Copyblog", "12 Millionen US-Dollar", "Pacific Wire", "about 6 million dollars",
         "medium"),
        ("fact-train", "Copyblog", "12 Millionen US-Dollar", "Techblatt", "5,6 Millionen US-Dollar", "high"),
    ]
    assert run_query(neo4j_driver, "fact_disagreements", {"query": "Rechenkapazitäten"}) == []
    assert run_query(neo4j_driver, "fact_disagreements", {"query": " && "}) == []


# -- ad-hoc Cypher ------------------------------------------------------------------------------------

def test_ad_hoc_cypher_reads_with_parameters(graph, neo4j_driver):
    rows = run_cypher(neo4j_driver, "MATCH (s:Source {id: $id}) RETURN s.name AS name", {"id": "copyblog"})
    assert rows == [{"name": "Copyblog"}]


@pytest.mark.parametrize("cypher", [
    "CREATE (n:Intruder {name: 'x'})",
    "MATCH (c:Claim) SET c.value = 0",
    "MATCH (s:Source) DETACH DELETE s",
    "CREATE INDEX intruder_idx IF NOT EXISTS FOR (n:Intruder) ON (n.name)",
])
def test_ad_hoc_writes_are_refused(graph, neo4j_driver, cypher):
    before = neo4j_driver.execute_query(
        "MATCH (n) RETURN count(n) AS n, sum(coalesce(n.value, 0)) AS v").records[0]
    with pytest.raises(QueryError, match="this query writes; newsgraph query --cypher runs read-only"):
        run_cypher(neo4j_driver, cypher)
    after = neo4j_driver.execute_query(
        "MATCH (n) RETURN count(n) AS n, sum(coalesce(n.value, 0)) AS v").records[0]
    assert (after["n"], after["v"]) == (before["n"], before["v"])
    names = [r["name"] for r in neo4j_driver.execute_query("SHOW INDEXES YIELD name").records]
    assert "intruder_idx" not in names


@pytest.mark.parametrize("cypher, code", [
    ("MATCH (n RETURN n", "SyntaxError"),
    ("CALL db.no_such_procedure()", "ProcedureNotFound"),
    ("RETURN $missing AS x", "ParameterMissing"),
])
def test_ad_hoc_mistakes_are_query_errors_that_quote_neo4j(graph, neo4j_driver, cypher, code):
    """A wrong ad-hoc query is the user's to fix: a QueryError with Neo4j's reason, not a crash."""
    with pytest.raises(QueryError, match=f"Neo4j rejected the query \\({code}\\)"):
        run_cypher(neo4j_driver, cypher)
