"""Speed-up of the per-article pipeline from 1 to 2 worker processes.

Both runs use the same pool runner (bench/parallel.py): workers read, extract and
analyze; the parent writes the record. Workers are spawned, warmed up and given one
untimed pass over the pages before timing (steady state: every language's pipeline
built in every worker); each timed pass starts from an empty record. Speed-up = pages/s with 2
workers ÷ pages/s with 1 (ideal on 2 cores: 2.0; the parent's writes are serial).
The pages are the run's page selection, at most WORKER_PAGES of them, to keep
`make bench` within its time budget.
"""
from __future__ import annotations

import os

from bench.context import StageContext
from bench.corpus import load_pages, spread
from bench.figures import figure
from bench.measure import median, per_second, timed
from bench.parallel import PipelinePool
from bench.records import fresh_record

WORKER_PAGES = 150
WARM_TEXT = ("Die Firma meldete am Dienstag einen Umsatz von 12 Millionen Euro. "
             "The company said revenue rose 8 percent to 3.4 billion dollars in 2024.")


def run(ctx: StageContext) -> dict:
    n_pages = min(ctx.pages or WORKER_PAGES, WORKER_PAGES)
    pages = spread(load_pages(ctx.corpus_path()), n_pages)
    paths = [p.path for p in pages]
    rates: dict[int, float] = {}
    details: dict[int, dict] = {}
    worker_peak = 0
    for workers in (1, 2):
        with PipelinePool(workers, WARM_TEXT) as pool:
            # one untimed pass: each worker builds the spaCy pipelines of the languages it meets
            # on first use, and with two workers a language may first reach one in a later pass
            conn, _ = fresh_record(ctx.work, f"workers{workers}-warm")
            pool.run(conn, paths)
            conn.close()
            durations = []
            for _ in range(max(1, ctx.repeats)):
                conn, _ = fresh_record(ctx.work, f"workers{workers}")
                seconds, counts = timed(lambda: pool.run(conn, paths))
                conn.close()
                durations.append(seconds)
            peaks = pool.worker_peak_rss()
        worker_peak = max([worker_peak, *peaks.values()])
        rates[workers] = per_second(len(paths), median(durations))
        details[workers] = {**counts, "pass_seconds": [round(d, 3) for d in durations]}
    speedup = rates[2] / rates[1] if rates[1] else None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "figures": [
            figure("pipeline_workers.pages_per_s_1", "pipeline, 1 worker process", rates[1], "pages/s",
                   detail=details[1]),
            figure("pipeline_workers.pages_per_s_2", "pipeline, 2 worker processes", rates[2], "pages/s",
                   detail=details[2]),
            figure("pipeline_workers.speedup", "speed-up 1 -> 2 workers", speedup, "x",
                   detail={"cores": cores, "ideal": min(2, cores or 1)}),
        ],
        "info": {"pages": len(paths), "cores": cores, "worker_peak_rss": worker_peak},
    }
