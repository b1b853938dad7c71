"""Lookup latency, p50 and p95, at 10,000, 100,000 and 1,000,000 claims: embedded and through Neo4j.

Records: synthetic claim sets (bench/synthetic.py) with a lookup embedding for every
claim; linked (facts, flags: results are grouped by fact) up to LINKED_LIMIT claims,
unlinked above it (each claim its own group). Queries: QUERIES questions made from the record's own subjects and measures
("<measure> <subject>", as a user types "Trainingskosten DeepSeek"), a share of
them in the other word order and a few that match nothing.

- embedded: `queries.lookup.lookup(conn, text, limit=10, embedder, index=...)` with one
  `LookupIndex` per level (FTS index and claim vectors loaded once, as a
  long-running process would; that one-time open is reported beside it);
- Neo4j: the record synced with `graph.projection.sync_record` (not timed), then
  `queries.lookup.lookup_neo4j(driver, text, limit=10, embedder)`.
Each query runs once as warm-up, then `repeats` times; p50/p95 are over all timed
calls, and include embedding the question.
"""
from __future__ import annotations

import random

from bench.context import StageContext
from bench.figures import figure
from bench.graphdb import clear_graph, driver_for
from bench.measure import percentile, timed

LEVELS = [10_000, 100_000, 1_000_000]
QUERIES = 30
QUICK_QUERIES = 5
LIMIT = 10
LINKED_LIMIT = 10_000      # larger levels are searched unlinked: linking them does not fit the budget
NO_MATCH = ("Kosten der Mondlandung 1969", "population of Atlantis")


def lookup_queries(conn, n: int, seed: int) -> list[str]:
    """Questions from (subject, measure) pairs that occur in the record, plus a few misses."""
    pairs = conn.execute(
        """SELECT DISTINCT subject, measure FROM claims
           WHERE subject IS NOT NULL AND measure IS NOT NULL LIMIT 5000""").fetchall()
    rng = random.Random(seed)
    chosen = rng.sample(pairs, min(len(pairs), max(0, n - len(NO_MATCH))))
    out = []
    for i, (subject, measure) in enumerate(chosen):
        out.append(f"{measure} {subject}" if i % 3 else f"{subject} {measure}")
    return out + list(NO_MATCH)[: max(0, n - len(out))]


def latencies(fn, queries: list[str], repeats: int) -> list[float]:
    for q in queries:
        fn(q)                                   # warm-up: caches, query plans
    out = []
    for _ in range(max(1, repeats)):
        for q in queries:
            seconds, _ = timed(lambda: fn(q))
            out.append(seconds)
    return out


def _mode(vectors) -> str | None:
    if vectors is None:
        return None
    return "exact" if getattr(vectors, "matrix", None) is not None else "sketch"


def _ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def neo4j_level(ctx: StageContext, driver, conn, embedder, queries: list[str], n: int,
                label: str) -> list[dict]:
    """Sync the level's record into an empty graph (not timed), then time lookup_neo4j."""
    from graph.projection import sync_record
    from queries.lookup import lookup_neo4j

    clear_graph(driver, ctx.neo4j_database)
    sync_s, rep = timed(lambda: sync_record(conn, driver, database=ctx.neo4j_database))
    lat = latencies(lambda q: lookup_neo4j(driver, q, limit=LIMIT, embedder=embedder,
                                           database=ctx.neo4j_database),
                    queries, ctx.repeats)
    clear_graph(driver, ctx.neo4j_database)
    return [
        figure(f"lookup.neo4j_p50_{n}", f"lookup p50, Neo4j, {label}", _ms(lat, 50), "ms",
               detail={"calls": len(lat), "sync_seconds": round(sync_s, 1), "sync_elements": rep.elements}),
        figure(f"lookup.neo4j_p95_{n}", f"lookup p95, Neo4j, {label}", _ms(lat, 95), "ms"),
    ]


def run(ctx: StageContext) -> dict:
    from bench.synthetic import embedder_for, open_synthetic
    from queries.lookup import LookupIndex, lookup

    levels = ctx.levels(LEVELS)
    embedder = embedder_for(ctx)
    figures, info, skipped = [], {}, []
    n_queries = QUICK_QUERIES if ctx.quick else QUERIES
    driver = driver_for(ctx) if ctx.neo4j_uri else None
    if driver is None:
        skipped.append({"part": "Neo4j lookup", "reason": "no Neo4j for this run"})
    def partial() -> dict:
        return {"figures": figures, "info": {"levels": levels, "records": info}, "skipped": skipped}

    try:
        for n in levels:
            linked = n <= LINKED_LIMIT
            conn, rec_info = open_synthetic(ctx, n, linked=linked, lookup_vectors=True)
            rec_info["linked"] = linked
            index = LookupIndex(conn, embedder)
            load_s, _ = timed(index.backend)       # FTS index build + vectors load, once per process
            vectors = index._vectors
            queries = lookup_queries(conn, n_queries, ctx.seed)
            lat = latencies(lambda q: lookup(conn, q, limit=LIMIT, embedder=embedder, index=index),
                            queries, ctx.repeats)
            label = f"{n:,} claims"
            figures += [
                figure(f"lookup.embedded_p50_{n}", f"lookup p50, embedded, {label}", _ms(lat, 50), "ms",
                       detail={"queries": len(queries), "calls": len(lat), "record": rec_info,
                               "vectors_mode": _mode(vectors)}),
                figure(f"lookup.embedded_p95_{n}", f"lookup p95, embedded, {label}", _ms(lat, 95), "ms"),
                figure(f"lookup.index_open_{n}", f"lookup index open (once per process), {label}",
                       load_s * 1000, "ms", detail={"what": "FTS freshness check/rebuild + claim vectors load"}),
            ]
            del vectors, index
            ctx.save_partial("lookup", partial())
            if driver is not None:
                try:
                    figures += neo4j_level(ctx, driver, conn, embedder, queries, n, label)
                except Exception as exc:  # e.g. the server gives up on a level: keep the others
                    skipped.append({"part": f"Neo4j lookup at {label}",
                                    "reason": f"failed: {type(exc).__name__}: {exc}"})
            info[str(n)] = rec_info
            conn.close()
            ctx.save_partial("lookup", partial())
    finally:
        if driver is not None:
            driver.close()
    return partial()
