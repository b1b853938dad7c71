"""A naive record -> Neo4j writer: one Cypher statement (and one transaction) per row.

Written only as the baseline of the sync figure. It writes exactly what
`graph.projection.sync_record` writes, from the same row tables
(`projection.NODES`, `projection.RELATIONSHIPS`, the claim embeddings), with the same
schema (constraints make MERGE on `id` an index seek, so the comparison is about
batching, not about a missing index) — but the way a first attempt usually looks:
a loop of auto-commit `session.run` calls, one network round trip and one commit
per node or relationship. The batched sync's advantage over this is the figure.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from graph import projection
from graph.neo4j_schema import ensure_schema


@dataclass
class NaiveReport:
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    embeddings_written: int = 0
    seconds: float = 0.0

    @property
    def elements(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())


def naive_sync(conn: sqlite3.Connection, driver, database: str | None = None) -> NaiveReport:
    """Write every node, relationship and claim embedding of the record, one statement each."""
    started = time.perf_counter()
    report = NaiveReport()
    ensure_schema(driver, database=database, embedding_dim=projection.embedding_dimension(conn) or 384)
    with driver.session(database=database) as session:
        for label, rows in projection.NODES:
            query = f"MERGE (n:{label} {{id: $id}}) SET n += $props"
            n = 0
            for row in rows(conn):
                session.run(query, id=row["id"], props=_props(row)).consume()
                n += 1
            report.nodes[label] = n
        report.embeddings_written = _embeddings(conn, session)
        for rel_type, start, end, rows in projection.RELATIONSHIPS:
            query = (f"MATCH (a:{start} {{id: $start}}) MATCH (b:{end} {{id: $end}}) "
                     f"MERGE (a)-[r:{rel_type}]->(b) SET r += $props")
            n = 0
            for row in rows(conn):
                session.run(query, start=row["start"], end=row["end"], props=row["props"]).consume()
                n += 1
            report.relationships[rel_type] = report.relationships.get(rel_type, 0) + n
    report.seconds = time.perf_counter() - started
    return report


def _props(row: dict) -> dict:
    return dict(row["props"]) if "props" in row else {k: v for k, v in row.items() if k != "id"}


def _embeddings(conn: sqlite3.Connection, session) -> int:
    import numpy as np

    n = 0
    for r in conn.execute(projection.CLAIM_EMBEDDINGS_SQL + " ORDER BY c.id"):
        raw = bytes(r["vector"])
        session.run("MATCH (c:Claim {id: $id}) SET c.embedding = $vector, c.embedding_f32 = $raw, "
                    "c.embedding_key = $key",
                    id=r["claim_id"], vector=np.frombuffer(raw, dtype="<f4").tolist(), raw=raw,
                    key=f"{r['model']}:{r['key']}").consume()
        n += 1
    return n
