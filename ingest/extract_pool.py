"""Main-text extraction of fetched pages, inline or in worker processes.

Why processes and never threads: trafilatura/lxml crashed the interpreter (SIGSEGV,
SIGABRT in tree copies) when several threads extracted at once in a fresh process,
and extraction holds the GIL anyway, so threads would not make it faster. Worker
processes give real parallelism when a crawl is extraction-bound (fast or local servers,
many hosts); polite crawls of a few remote sites wait on per-host delays and need none.

Why a fork server: workers are forked from a fresh, single-threaded interpreter (never
from the crawler, so no locks or sockets of its threads are inherited, as with "spawn")
that has imported the extractor and built dateparser's locale tables once
(ingest.extract_warmup). Spawned workers each paid that, ~3.5 s of CPU per worker and
crawl, a tenth of the extraction CPU of a 1,000-page crawl on two cores. The fork server
starts, in the background, when a crawl's extraction starts with more than one CPU;
while it warms up, the coordinator goes on extracting inline. It lives as long as the
program (later crawls fork warm workers at once) and costs one idle process of ~100 MB
when a crawl never needs workers. Where there is no fork server (Windows), workers are
spawned as before.

Why automatic by default: workers cost memory (~100 MB each), which small and polite
crawls never earn back. So extraction starts inline and the pool is started only once
inline extraction has been seen to hold the crawl up (it took more than half of the
coordinator's time over the first pages) and the fork server is warm.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

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
                                                fetched_at=fetched_at, raw_bytes=len(result.body))
    except InputError as err:
        outcome.error = err
    except Exception as err:  # noqa: BLE001 - an extractor bug on one page must not end the crawl
        outcome.error = InputError(item.fetch_url, "extract_error", f"extraction crashed: {type(err).__name__}: {err}")
    return outcome


def _extract_in_worker(item: CrawlItem, result: FetchResult, spec: SourceSpec) -> PageOutcome:
    """extract_page in a worker process. The body is not sent back: the crawl still has it."""
    outcome = extract_page(item, result, spec)
    outcome.result = replace(result, body=b"")
    return outcome


AUTO_START_PAGES = 8       # pages extracted inline before the automatic mode judges
AUTO_BUSY_SHARE = 0.5      # ... and starts workers when extraction took more than this share of the time
MAX_AUTO_PROCESSES = 8     # each worker holds trafilatura and lxml (~100 MB)


WARMUP_MODULE = "ingest.extract_warmup"


def _context() -> multiprocessing.context.BaseContext:
    """The fork server (preloading the warm-up module) where the platform has one, else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([WARMUP_MODULE])
    return context


def _ready() -> None:
    """Runs in a throw-away process: it can only start once the fork server has warmed up."""


_warm = threading.Event()          # set once the fork server has warmed up (or there is none)
_warming_lock = threading.Lock()
_warming: threading.Thread | None = None


def _await_warm_up(context: multiprocessing.context.BaseContext) -> None:
    """Background thread: wait for the fork server's warm-up by starting a throw-away process."""
    try:
        probe = context.Process(target=_ready)
        probe.start()
        probe.join()
    except Exception:  # noqa: BLE001 - a broken fork server shows itself to the pool, which then extracts inline
        pass
    finally:
        _warm.set()


def prepare_workers(wait: bool = False) -> None:
    """Start the workers' fork server and its warm-up in the background, if not started yet.

    wait=True returns only once it has warmed up (e.g. before a timed run)."""
    global _warming
    context = _context()
    if context.get_start_method() != "forkserver":
        _warm.set()
        return
    with _warming_lock:
        if _warming is None:
            _warming = threading.Thread(target=_await_warm_up, args=(context,), name="extract-warm-up", daemon=True)
            _warming.start()
    if wait:
        _warm.wait()


def workers_ready() -> bool:
    """Whether workers start at once (fork server warm): until then the automatic mode keeps
    extracting inline, as a pool started earlier would make the crawl wait for the warm-up."""
    return _warm.is_set()


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


class Extraction:
    """`submit` returns a Future of a PageOutcome: computed at once (inline) or in a
    worker process. If the pool breaks (a worker died), extraction continues inline.

    processes: N > 0 workers from the start; 0 always inline; None automatic: inline
    until extraction holds the crawl up (see the module docstring) and the workers' fork
    server has warmed up, then one worker per CPU (never on a single CPU, where workers
    would only add their start-up cost).
    """

    def __init__(self, processes: int | None = None) -> None:
        self._auto = processes is None
        self.processes = min(cpu_count(), MAX_AUTO_PROCESSES) if processes is None else processes
        if self._auto and self.processes < 2:
            self.processes, self._auto = 0, False
        self._pool: ProcessPoolExecutor | None = None
        self.workers_started = 0   # for the crawl report: 0 when every page was extracted inline
        self._inline_pages = 0
        self._inline_seconds = 0.0
        self._first_inline: float | None = None
        if self.processes > 0:
            prepare_workers()   # warms up in the background while the first pages are extracted inline
        if not self._auto and self.processes > 0:
            self._start_pool()

    @property
    def capacity(self) -> int:
        """How many pages may wait for extraction before fetching should pause (bounds memory)."""
        return 4 * self.processes if self._pool else 1

    def submit(self, item: CrawlItem, result: FetchResult, spec: SourceSpec) -> Future[PageOutcome]:
        if result.ok and self._auto and self._pool is None and self._extraction_bound() and workers_ready():
            self._start_pool()
        if self._pool is not None and result.ok:
            try:
                return self._pool.submit(_extract_in_worker, item, result, spec)
            except BrokenProcessPool:
                self._drop_pool()
        done: Future[PageOutcome] = Future()
        started = time.monotonic()
        done.set_result(extract_page(item, result, spec))
        if result.ok:
            self._inline_pages += 1
            self._inline_seconds += time.monotonic() - started
            self._first_inline = self._first_inline or started
        return done

    def _extraction_bound(self) -> bool:
        """Automatic mode: did inline extraction take most of the time since the first page?"""
        if self._inline_pages < AUTO_START_PAGES or self._first_inline is None:
            return False
        return self._inline_seconds > AUTO_BUSY_SHARE * (time.monotonic() - self._first_inline)

    def _start_pool(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=_context())
        self.workers_started = self.processes
        self._auto = False

    def outcome(self, future: Future[PageOutcome], item: CrawlItem, result: FetchResult,
                spec: SourceSpec) -> PageOutcome:
        """The future's outcome; a page whose worker died is extracted inline instead."""
        try:
            outcome = future.result()
            outcome.result = result
            return outcome
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
