"""A process-pool runner of the per-article pipeline, written for the 1 -> 2 workers figure.

Why here and not in newsgraph: `newsgraph.pipeline` has no worker option yet. The
CPU-bound part (reading + extraction + NLP) runs in worker processes, each with its
own Analyzer built once in the pool initializer; the parent process is the only
writer of the SQLite record (one writer, as WAL wants it), so the record ends up
exactly as the one-process pipeline leaves it.
"""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

_ANALYZER = None   # one per worker process, built by _init (worker-local, never shared)


def _init(warm_text: str) -> None:
    global _ANALYZER
    from nlp.analyze import Analyzer
    from nlp.config import PipelineConfig
    _ANALYZER = Analyzer(PipelineConfig())
    _ANALYZER.analyze(warm_text)   # load the language pipelines before any timing


def _warm_parent(warm_text: str) -> None:
    from nlp.analyze import Analyzer
    from nlp.config import PipelineConfig
    Analyzer(PipelineConfig()).analyze(warm_text)


def _work(path: str):
    from ingest.files import load_file
    from ingest.types import InputError
    try:
        doc = load_file(Path(path), max_bytes=20 * 1024 * 1024)
    except InputError as exc:
        return "failure", exc.failure, None
    try:
        analysis = _ANALYZER.analyze(doc.text, lang_hint=doc.language)
    except Exception as exc:  # counted like the pipeline counts NLP failures
        return "nlp_error", doc, f"{type(exc).__name__}: {exc}"
    return "ok", doc, analysis


class PipelinePool:
    """`with PipelinePool(n, warm_text) as pool: pool.run(conn, paths)`."""

    def __init__(self, workers: int, warm_text: str):
        self.workers = workers
        # fork after the parent has read the NLP data files once (their loaders are cached),
        # so each worker builds its own Analyzer quickly; nothing of the parent's state is shared.
        _warm_parent(warm_text)
        self._pool = mp.get_context("fork").Pool(workers, initializer=_init, initargs=(warm_text,))
        # Make sure every worker finished its initializer (spawned + warmed) before timing.
        self._pool.map(_noop, range(workers * 2), chunksize=1)

    def run(self, conn, paths: list[Path], chunksize: int = 2) -> dict:
        from graph import store
        counts = {"stored": 0, "analyzed": 0, "claims": 0, "failures": 0}
        for status, doc, analysis in self._pool.imap_unordered(_work, [str(p) for p in paths],
                                                               chunksize=chunksize):
            if status == "failure":
                store.record_failure(conn, doc.input, doc.reason, doc.message)
                counts["failures"] += 1
                continue
            article_id, needs = store.save_document(conn, doc)
            counts["stored"] += 1
            if status == "nlp_error":
                store.mark_article_failed(conn, article_id, analysis)
                counts["failures"] += 1
            elif needs:
                store.save_analysis(conn, article_id, doc.content_hash, analysis)
                counts["analyzed"] += 1
                counts["claims"] += len(analysis.claims)
        return counts

    def worker_peak_rss(self) -> dict[int, int]:
        """pid -> peak RSS (VmHWM) of the workers that answered (all of them, in practice)."""
        peaks: dict[int, int] = {}
        for pid, hwm in self._pool.map(_worker_hwm, range(self.workers * 4), chunksize=1):
            if hwm:
                peaks[pid] = max(peaks.get(pid, 0), hwm)
        return peaks

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> "PipelinePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _noop(_: int) -> None:
    import time
    time.sleep(0.05)   # long enough that the tasks spread over all workers


def _worker_hwm(_: int) -> tuple[int, int | None]:
    import os
    import time
    from bench.memory import vm_hwm
    time.sleep(0.05)
    return os.getpid(), vm_hwm()
