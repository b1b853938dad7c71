"""The main job on the samples with a real Neo4j: the graph is written, and re-syncing changes nothing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newsgraph import jobs
from newsgraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "articles"


def graph_counts(driver) -> dict:
    nodes = {r["label"]: r["n"] for r in driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n").records}
    rels = {r["type"]: r["n"] for r in driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n").records}
    return {"nodes": nodes, "rels": rels}


def test_run_with_neo4j_then_resync_is_idempotent(tmp_path, neo4j_uri, clean_neo4j):
    driver = clean_neo4j
    settings = Settings(db=tmp_path / "record.db", neo4j_uri=neo4j_uri)
    result = jobs.run_job(settings, inputs=[SAMPLES])
    assert "sync" in result.stages
    first = graph_counts(driver)
    n_articles = len(list(SAMPLES.glob("*.html")))
    assert first["nodes"]["Article"] == n_articles
    assert first["nodes"]["Claim"] == result.summary["counts"]["claims"]
    for rel in ("PUBLISHED_BY", "STATED_IN", "MENTIONS", "ATTRIBUTED_TO", "PART_OF", "CONTRADICTS"):
        assert first["rels"].get(rel, 0) > 0, rel

    # the CLI, twice: same counts each time
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        res = subprocess.run([sys.executable, "-m", "newsgraph.cli", "--db", str(settings.db),
                              "sync", "--neo4j", neo4j_uri, "--json"],
                             capture_output=True, env=env, timeout=600)
        assert res.returncode == 0, res.stderr.decode()
        assert json.loads(res.stdout)["command"] == "sync"
        assert graph_counts(driver) == first

    # the analysts' question: which sources disagree about DeepSeek's training cost?
    rows = driver.execute_query(
        """MATCH (a:Claim)-[c:CONTRADICTS]-(b:Claim), (a)-[:STATED_IN]->(:Article)-[:PUBLISHED_BY]->(s:Source)
           WHERE a.measure_key = $key RETURN DISTINCT s.name AS source, c.reason AS reason""",
        key="training_cost").records
    assert rows, "no contradiction about the training cost in the graph"
    assert all(r["reason"] for r in rows)
