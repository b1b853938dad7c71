"""Lookup latency, p50 and p95, at 10,000, 100,000 and 1,000,000 claims: embedded and through Neo4j.

Records: synthetic claim sets (bench/synthetic.py) with a lookup embedding for every
claim; linked (facts, flags: results are grouped by fact) up to LINKED_LIMIT claims,
unlinked above it (each claim its own group). Queries: QUERIES questions made from the record's own subjects and measures
("<measure> <subject>", as a user types "Trainingskosten DeepSeek"), a share of
them in the other word order and a few that match nothing.

- embedded: `queries.lookup.lookup(conn, text, limit=10, embedder, index=...)` with one
  `LookupIndex` per level (FTS index and claim vectors opened once, as a
  long-running process would). Beside it: `index_open`, the first open, which
  builds and saves the vector store next to the record, and `index_reopen`, a
  second `LookupIndex` on the unchanged record, i.e. what each new process (a
  CLI call) pays before its first lookup: one scan of `claims` to check the
  store, then the saved vectors memory-mapped;
- Neo4j (up to `--neo4j-max-claims`, default 100,000): the record synced with
  `graph.projection.sync_record` (not timed), the vector index left to settle
  (`settle_vector_index`), then `queries.lookup.lookup_neo4j(driver, text,
  limit=10, embedder)` on one driver for all calls, as a long-running process
  would hold it (a new driver per call would add connection set-up to each).
Each query runs once as warm-up, then `repeats` times; p50/p95 are over all timed
calls (steady state of a long-running process), and include embedding the question.
"""
from __future__ import annotations

import random

from bench.context import StageContext
from bench.figures import figure
from bench.graphdb import clear_graph, driver_for
from bench.measure import percentile, timed

LEVELS = [10_000, 100_000, 1_000_000]
SETTLE_MIN_SECONDS = 150
SETTLE_MAX_SECONDS = 300
SETTLE_PAUSE_SECONDS = 15
SETTLE_PROBE_ID = "bench-settle-probe"
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


def settle_vector_index(driver, database: str | None, query_vec) -> dict:
    """Let the vector index reach the state a long-running server answers from; what was seen.

    A sync writes many transactions, and Lucene keeps each as a small segment
    until background merges combine them; a vector query searches every
    segment (right after syncing 100,000 claims: ~80 of them, several times
    slower). Neo4j's searcher only sees merged segments once it is refreshed,
    by the next write to the index or the 15-minute checkpoint. So, every
    SETTLE_PAUSE_SECONDS, a probe claim with an embedding is added and removed
    (the refresh a later write would bring) and ten vector queries are timed,
    until their median stops improving, after at least SETTLE_MIN_SECONDS
    (measured: the merges after a 100,000-claim sync took about two minutes on
    two busy cores) and at most SETTLE_MAX_SECONDS.
    """
    import time

    from queries.search_neo4j import nearest_rows

    vector = [float(x) for x in query_vec]

    def refresh() -> None:
        driver.execute_query("CREATE (:Claim {id: $id, embedding: $v})", id=SETTLE_PROBE_ID, v=vector,
                             database_=database)
        driver.execute_query("MATCH (c:Claim {id: $id}) DELETE c", id=SETTLE_PROBE_ID, database_=database)

    def median_ms() -> float:
        with driver.session(database=database, default_access_mode="READ",
                            notifications_min_severity="OFF") as session:
            times = sorted(timed(lambda: nearest_rows(session, query_vec, 50))[0] for _ in range(10))
        return times[5] * 1000

    start = time.monotonic()
    seen = [median_ms()]
    while time.monotonic() - start < SETTLE_MAX_SECONDS:
        time.sleep(SETTLE_PAUSE_SECONDS)
        refresh()
        seen.append(median_ms())
        if (time.monotonic() - start >= SETTLE_MIN_SECONDS      # merges take minutes to start and finish
                and min(seen[-2:]) > 0.9 * min(seen[:-2])):      # two rounds without gain
            break
    return {"settle_seconds": round(time.monotonic() - start, 1),
            "vector_query_ms": [round(v, 1) for v in seen]}


def neo4j_level(ctx: StageContext, driver, conn, embedder, queries: list[str], n: int,
                label: str) -> list[dict]:
    """Sync the level's record into an empty graph (not timed), let it settle, then time lookup_neo4j."""
    from graph.projection import sync_record
    from queries.lookup import embed_query, lookup_neo4j

    clear_graph(driver, ctx.neo4j_database)
    sync_s, rep = timed(lambda: sync_record(conn, driver, database=ctx.neo4j_database))
    settled = ({} if ctx.quick else   # a few hundred claims: a handful of segments, nothing to wait for
               settle_vector_index(driver, ctx.neo4j_database, embed_query(embedder, queries[0])))
    lat = latencies(lambda q: lookup_neo4j(driver, q, limit=LIMIT, embedder=embedder,
                                           database=ctx.neo4j_database),
                    queries, ctx.repeats)
    clear_graph(driver, ctx.neo4j_database)
    return [
        figure(f"lookup.neo4j_p50_{n}", f"lookup p50, Neo4j, {label}", _ms(lat, 50), "ms",
               detail={"calls": len(lat), "sync_seconds": round(sync_s, 1), "sync_elements": rep.elements,
                       **settled}),
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
            load_s, _ = timed(index.backend)       # FTS index check/build + vector store build, once
            reopen_s, _ = timed(LookupIndex(conn, embedder).backend)   # a new process on the same record
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
                figure(f"lookup.index_open_{n}", f"lookup index first open (builds the vector store), {label}",
                       load_s * 1000, "ms", detail={"what": "FTS freshness check/rebuild + claim vectors "
                                                            "read from the record and saved beside it"}),
                figure(f"lookup.index_reopen_{n}", f"lookup index open in a new process, {label}",
                       reopen_s * 1000, "ms", detail={"what": "FTS freshness check + one scan of claims "
                                                              "+ saved vectors memory-mapped"}),
            ]
            del vectors, index
            ctx.save_partial("lookup", partial())
            if driver is not None and n > ctx.neo4j_max_claims:
                skipped.append({"part": f"Neo4j lookup at {label}",
                                "reason": f"above --neo4j-max-claims {ctx.neo4j_max_claims:,}: syncing "
                                          f"{n:,} claims into Neo4j takes ~40 minutes on 2 cores; pass "
                                          f"--neo4j-max-claims {n} to measure it"})
            elif driver is not None:
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
