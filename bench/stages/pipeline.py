"""The whole per-article pipeline on the corpus pages, pages per second (one process).

What is timed is what `newsgraph ingest` does for a folder: `pipeline.ingest_paths`
(read, size and type checks, trafilatura extraction, metadata, one record
transaction per page) and then `pipeline.analyze_pending` (language, sentences,
entities, quantities, claims, attribution, and the analysis written to the record).
Each pass starts from an empty record; the Analyzer is built and warmed up once
before timing, as a nightly job builds it once. Compared with the extraction floor
(`extract_floor`) in the harness: target ≥ 60 % of it.
"""
from __future__ import annotations

from bench.context import StageContext
from bench.corpus import load_pages, spread
from bench.figures import figure
from bench.measure import median, per_second, timed
from bench.records import fresh_record, save_claim_texts, save_extracted


def build_analyzer():
    from nlp.analyze import Analyzer
    from nlp.config import PipelineConfig
    return Analyzer(PipelineConfig())


def run_pipeline(conn, paths, analyzer, max_bytes: int = 20 * 1024 * 1024) -> dict:
    from newsgraph import pipeline
    ing = pipeline.ingest_paths(conn, paths, max_bytes=max_bytes)
    ana = pipeline.analyze_pending(conn, analyzer)
    return {"seen": ing.seen, "stored": ing.new_or_changed, "ingest_failures": len(ing.failures),
            "analyzed": ana.analyzed, "claims": ana.claims, "mentions": ana.mentions,
            "nlp_failures": len(ana.failures)}


def run(ctx: StageContext) -> dict:
    pages = spread(load_pages(ctx.corpus_path()), ctx.pages)
    paths = [p.path for p in pages]
    analyzer = build_analyzer()

    warm_conn, _ = fresh_record(ctx.work, "pipeline-warmup")
    run_pipeline(warm_conn, paths[: min(5, len(paths))], analyzer)
    warm_conn.close()

    durations: list[float] = []
    counts: dict = {}
    for _ in range(max(1, ctx.repeats)):
        conn, _ = fresh_record(ctx.work, "pipeline")
        seconds, counts = timed(lambda: run_pipeline(conn, paths, analyzer))
        durations.append(seconds)
        last = conn
    saved = save_extracted(ctx.work, last)
    save_claim_texts(ctx.work, last)
    last.close()
    seconds = median(durations)
    return {
        "figures": [
            figure("pipeline.pages_per_s", "whole per-article pipeline, 1 process",
                   per_second(len(paths), seconds), "pages/s",
                   detail={**counts, "pages": len(paths),
                           "pass_seconds": [round(d, 3) for d in durations]}),
            figure("pipeline.claims_per_s", "claims written per second (pipeline)",
                   per_second(counts.get("claims", 0), seconds), "claims/s"),
        ],
        "info": {"pages": len(paths), "extracted_texts_saved": saved, **counts},
    }
