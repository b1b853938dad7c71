"""Record -> Neo4j sync in elements (nodes + relationships) per second: batched vs naive, and re-sync.

Records: synthetic claim sets (bench/synthetic.py), linked (entities, facts, flags)
and with claim embeddings, so the graph has every node and relationship type the
projection writes.
- batched: `graph.projection.sync_record` into an empty graph (the schema exists);
- naive: `bench.naive_sync.naive_sync`, the same rows one auto-commit statement
  each, on the same (smaller: COMPARE_CLAIMS, quick QUICK_COMPARE_CLAIMS) record in
  the same run, timed once (it is slow by design); the ratio
  batched ÷ naive is taken on that record (target ≥ 20×);
- throughput: the batched sync of the larger record (target ≥ 20,000 elements/s);
- re-sync: `sync_record` again over the unchanged graph; it must leave the node and
  relationship counts as they were (checked, reported as a warning otherwise). As a
  re-sync may skip what the graph already holds, its speed is graph elements
  (nodes + relationships present) per second.
Elements = nodes + relationships written (claim embeddings are written by both
writers but not counted as elements).

Order: the larger record first, after one untimed sync of it (a freshly started
server compiles its hot paths during the first seconds of writing: the first
pass was ~35 % slower than the next ones), then the comparison, so that the
batched and the naive writer both meet a warm server rather than the batched
one paying the warm-up alone.
"""
from __future__ import annotations

from bench.context import StageContext
from bench.figures import figure, target
from bench.graphdb import clear_graph, driver_for, graph_counts
from bench.measure import median, per_second, timed
from bench.naive_sync import naive_sync

SYNC_CLAIMS = 10_000         # the throughput record (the linking stage's linked 10k)
COMPARE_CLAIMS = 1_000
QUICK_COMPARE_CLAIMS = 100


def _batched(conn, driver, database):
    from graph.projection import sync_record
    return sync_record(conn, driver, database=database)


def run(ctx: StageContext) -> dict:
    from bench.synthetic import open_synthetic

    large_n = max(ctx.levels([SYNC_CLAIMS]))
    small_n = min(QUICK_COMPARE_CLAIMS if ctx.quick else COMPARE_CLAIMS, large_n)
    db = ctx.neo4j_database
    warnings: list[str] = []
    with driver_for(ctx) as driver:
        # -- throughput and re-sync on the larger record ----------------------------------------
        large, large_info = open_synthetic(ctx, large_n, linked=True, lookup_vectors=True)
        clear_graph(driver, db)
        _batched(large, driver, db)            # warm-up: schema, query plans, the server's JIT
        first_runs, resync_runs = [], []
        for _ in range(max(1, ctx.repeats)):
            clear_graph(driver, db)
            seconds, rep = timed(lambda: _batched(large, driver, db))
            first_runs.append((seconds, rep.elements, rep.embeddings_written))
        before = graph_counts(driver, db)
        for _ in range(max(1, ctx.repeats)):
            seconds, rep = timed(lambda: _batched(large, driver, db))
            resync_runs.append((seconds, rep.elements, rep.embeddings_written,
                                sum(rep.deleted_nodes.values()) + sum(rep.deleted_relationships.values())))
        after = graph_counts(driver, db)
        if before != after:
            warnings.append(f"re-sync changed the graph: {before} -> {after}")
        large.close()

        # -- batched vs naive on the same record ------------------------------------------------
        small, small_info = open_synthetic(ctx, small_n, linked=True, lookup_vectors=True)
        clear_graph(driver, db)
        _batched(small, driver, db)            # warm-up: this record's query plans
        batched_runs, naive_runs = [], []
        for _ in range(max(1, ctx.repeats)):
            clear_graph(driver, db)
            seconds, rep = timed(lambda: _batched(small, driver, db))
            batched_runs.append((seconds, rep.elements))
        batched_counts = graph_counts(driver, db)
        clear_graph(driver, db)
        seconds, naive = timed(lambda: naive_sync(small, driver, db))
        naive_runs.append((seconds, naive.elements))
        naive_counts = graph_counts(driver, db)
        if naive_counts != batched_counts:
            warnings.append(f"naive writer built another graph ({naive_counts}) than the batched sync "
                            f"({batched_counts}); the comparison is not like for like")
        small.close()
        b_rate = median([per_second(e, s) for s, e in batched_runs])
        n_rate = per_second(naive_runs[0][1], naive_runs[0][0])

    first_rate = median([per_second(e, s) for s, e, _ in first_runs])
    # A re-sync may skip rows the graph already holds, so its speed is over the whole graph.
    graph_elements = before["nodes"] + before["relationships"]
    resync_seconds = median([s for s, _, _, _ in resync_runs])
    return {
        "warnings": warnings,
        "figures": [
            figure("neo4j_sync.batched_per_s", f"batched sync, {large_n:,} claims", first_rate, "elements/s",
                   target=target(">=", 20_000, "≥ 20,000"),
                   detail={"elements": first_runs[0][1], "embeddings": first_runs[0][2],
                           "graph": before, "record": large_info,
                           "pass_seconds": [round(s, 3) for s, _, _ in first_runs]}),
            figure("neo4j_sync.resync_per_s", f"idempotent re-sync, {large_n:,} claims (graph elements/s)",
                   per_second(graph_elements, resync_seconds), "elements/s",
                   detail={"seconds": round(resync_seconds, 3), "graph_elements": graph_elements,
                           "elements_written": resync_runs[0][1],
                           "graph_unchanged": before == after, "embeddings_rewritten": resync_runs[0][2],
                           "stale_deleted": resync_runs[0][3],
                           "pass_seconds": [round(s, 3) for s, _, _, _ in resync_runs]}),
            figure("neo4j_sync.batched_small_per_s", f"batched sync, {small_n:,} claims", b_rate,
                   "elements/s", detail={"elements": batched_runs[0][1],
                                         "pass_seconds": [round(s, 3) for s, _ in batched_runs]}),
            figure("neo4j_sync.naive_per_s", f"naive one-statement-per-row, {small_n:,} claims", n_rate,
                   "elements/s", detail={"elements": naive_runs[0][1], "seconds": round(naive_runs[0][0], 3),
                                         "record": small_info}),
            figure("neo4j_sync.batched_over_naive", "batched ÷ naive (same record)",
                   b_rate / n_rate if n_rate else None, "x", target=target(">=", 20, "≥ 20×")),
        ],
        "info": {"small_claims": small_n, "large_claims": large_n},
    }
