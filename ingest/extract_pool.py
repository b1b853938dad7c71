"""Main-text extraction of fetched pages, inline or in worker processes.

Why processes and never threads: trafilatura/lxml crashed the interpreter (SIGSEGV,
SIGABRT in tree copies) when several threads extracted at once in a fresh process,
and extraction holds the GIL anyway, so threads would not make it faster. Worker
processes ("spawn", so no locks or sockets are inherited from the crawler's threads)
give real parallelism when a crawl is extraction-bound (fast local servers); polite
crawls of remote sites wait on per-host delays and need none (processes=0).
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ingest.extract import document_from_text, extract_document, utc_timestamp
from ingest.frontier import CrawlItem
from ingest.types import Document, FetchResult, InputError, SourceSpec


@dataclass
class PageOutcome:
    item: CrawlItem
    result: FetchResult
    document: Document | None = None
    error: InputError | None = None


def extract_page(item: CrawlItem, result: FetchResult, spec: SourceSpec) -> PageOutcome:
    """Document (or the reason there is none) of one fetched page; no I/O."""
    outcome = PageOutcome(item, result)
    if not result.ok:
        return outcome
    fetched_at = utc_timestamp()
    try:
        if result.headers.get("content-type", "").startswith("text/plain"):
            outcome.document = document_from_text(result.text(), result.final_url, lang_hint=spec.lang,
                                                  fetched_at=fetched_at, raw_bytes=len(result.body))
        else:
            outcome.document = extract_document(result.text(), result.final_url, lang_hint=spec.lang,
                                                fetched_at=fetched_at)
            outcome.document.raw_bytes = len(result.body)
    except InputError as err:
        outcome.error = err
    except Exception as err:  # noqa: BLE001 - an extractor bug on one page must not end the crawl
        outcome.error = InputError(item.fetch_url, "extract_error", f"extraction crashed: {type(err).__name__}: {err}")
    return outcome


class Extraction:
    """`submit` returns a Future of a PageOutcome: computed at once (processes=0) or in a
    worker process. If the pool breaks (a worker died), extraction continues inline."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self._pool = (ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))
                      if processes > 0 else None)

    @property
    def capacity(self) -> int:
        """How many pages may wait for extraction before fetching should pause (bounds memory)."""
        return 4 * self.processes if self._pool else 1

    def submit(self, item: CrawlItem, result: FetchResult, spec: SourceSpec) -> Future[PageOutcome]:
        if self._pool is not None and result.ok:
            try:
                return self._pool.submit(extract_page, item, result, spec)
            except BrokenProcessPool:
                self._drop_pool()
        done: Future[PageOutcome] = Future()
        done.set_result(extract_page(item, result, spec))
        return done

    def outcome(self, future: Future[PageOutcome], item: CrawlItem, result: FetchResult,
                spec: SourceSpec) -> PageOutcome:
        """The future's outcome; a page whose worker died is extracted inline instead."""
        try:
            return future.result()
        except BrokenProcessPool:
            self._drop_pool()
            return extract_page(item, result, spec)

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
