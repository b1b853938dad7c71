"""The bench's Neo4j helpers: a driver for the run's server, emptying it, counting it.

Why emptying in batches: a stage may leave hundreds of thousands of nodes; one
DETACH DELETE of all of them would need a transaction bigger than the heap.
"""
from __future__ import annotations

from bench.context import StageContext


def driver_for(ctx: StageContext):
    import neo4j
    from graph.neo4j_local import auth_from_env
    if not ctx.neo4j_uri:
        raise RuntimeError("this stage needs Neo4j; the harness passes one (bench/run.py)")
    return neo4j.GraphDatabase.driver(ctx.neo4j_uri, auth=auth_from_env())


def clear_graph(driver, database: str | None = None, batch: int = 10_000) -> None:
    """Delete every node and relationship, `batch` nodes a transaction (schema objects stay)."""
    while True:
        records, _, _ = driver.execute_query(
            "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
            batch=batch, database_=database)
        if records[0]["deleted"] == 0:
            return


def graph_counts(driver, database: str | None = None) -> dict[str, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=database).records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n", database_=database).records[0]["n"]
    return {"nodes": nodes, "relationships": rels}
