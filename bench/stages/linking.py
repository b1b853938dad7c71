"""Linking and flagging at 10,000 and 100,000 synthetic claims, then adding 1,000 new claims.

For each level, a fresh copy of the unlinked synthetic record (bench/synthetic.py)
goes through `graph.link.link_record` (entities, copies, facts, contradiction /
corroboration / change / provenance flags), with the embedding model loaded and
warmed up before timing but no vector cached in the record: claim contexts and
names are embedded as on a first nightly run. Then ADDED new claims (new
articles, same generator) are stored and `link_record` runs again: incremental
linking only compares the new articles' claims with the rest. Finally an
unchanged re-run (nothing to do) is timed. Each add starts from a fresh copy of the
linked record, with another set of new claims.
The full link of a level above REPEAT_LIMIT claims is timed once (a pass takes
minutes); adds and re-runs are repeated at every level. A level whose
time, extrapolated linearly from the level before, exceeds the run's level budget
(--level-budget) is skipped with that estimate as the reason.
"""
from __future__ import annotations

from bench.context import StageContext
from bench.figures import figure
from bench.measure import median, per_second, timed

LEVELS = [10_000, 100_000]
ADDED = 1_000
REPEAT_LIMIT = 5_000


def _counts(rep) -> dict:
    return {"facts": rep.facts, "entities": rep.entities, "contradictions": rep.contradictions,
            "corroborations": rep.corroborations, "changes": rep.changes, "copies": rep.copies,
            "hedged": rep.hedged, "embeddings_computed": rep.embeddings_computed,
            "embeddings_cached": rep.embeddings_cached, "phase_seconds": dict(rep.seconds)}


def run(ctx: StageContext) -> dict:
    from bench.synthetic import add_synthetic, embedder_for, open_synthetic, save_linked
    from graph.link import link_record
    from graph.link_config import LinkConfig

    cfg = LinkConfig()
    embedder = embedder_for(ctx)
    levels = ctx.levels(LEVELS)
    added = min(ADDED, max(levels)) if ctx.quick else ADDED
    figures, info, skipped = [], {}, []
    previous: tuple[int, float] | None = None
    for n in levels:
        if previous and ctx.level_budget:
            estimate = previous[1] * n / previous[0]
            if estimate > ctx.level_budget:
                skipped.append({"part": f"{n:,} claims", "reason": (
                    f"linking {previous[0]:,} claims took {previous[1]:.0f} s, so {n:,} would take "
                    f"≥ {estimate:.0f} s (linear estimate), above the level budget of "
                    f"{ctx.level_budget:.0f} s; run with --level-budget 0 to measure it")})
                continue
        full_runs, add_runs, noop_runs = [], [], []
        for r in range(max(1, ctx.repeats) if n <= REPEAT_LIMIT else 1):
            conn, rec_info = open_synthetic(ctx, n, linked=False, lookup_vectors=False, copy=True)
            embedder.computed = embedder.cached = 0
            seconds, rep = timed(lambda: link_record(conn, cfg, embedder=embedder))
            full_runs.append(seconds)
            full_counts = _counts(rep)
            if r == 0:
                save_linked(ctx, n, conn)        # the adds below and later stages start from it
            conn.close()
        for r in range(max(1, ctx.repeats)):   # every level: an add takes seconds, and varies by 10-20 %
            conn, _ = open_synthetic(ctx, n, linked=True, lookup_vectors=False, copy=True)
            add_synthetic(conn, added, seed=ctx.seed + 1000 + r)
            embedder.computed = embedder.cached = 0
            seconds, rep = timed(lambda: link_record(conn, cfg, embedder=embedder))
            add_runs.append(seconds)
            add_counts = {"articles_linked": rep.articles_linked, "claims_linked": rep.claims_linked,
                          "facts_touched": rep.facts_touched, **_counts(rep)}
            seconds, rep = timed(lambda: link_record(conn, cfg, embedder=embedder))
            noop_runs.append(seconds)
            conn.close()
        label = f"{n:,} claims"
        figures += [
            figure(f"linking.claims_per_s_{n}", f"link + flag, {label} (cold embeddings)",
                   per_second(n, median(full_runs)), "claims/s",
                   detail={**full_counts, "record": rec_info,
                           "pass_seconds": [round(s, 2) for s in full_runs]}),
            figure(f"linking.seconds_{n}", f"link + flag, {label}", median(full_runs), "s"),
            figure(f"linking.add_seconds_{n}", f"add {added:,} new claims to {label} and re-link",
                   median(add_runs), "s",
                   detail={**add_counts, "pass_seconds": [round(s, 2) for s in add_runs]}),
            figure(f"linking.noop_seconds_{n}", f"re-link, nothing changed, {label}", median(noop_runs), "s"),
        ]
        info[str(n)] = rec_info
        previous = (n, median(full_runs))
        ctx.save_partial("linking", {"figures": figures, "skipped": skipped,
                                     "info": {"levels": levels, "added": added, "records": info}})
    return {"figures": figures, "info": {"levels": levels, "added": added, "records": info},
            "skipped": skipped}
