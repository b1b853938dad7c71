"""Crawl configured sources: discover article URLs, fetch them politely, extract, hand over.

Why this shape: the coordinator (the thread calling `crawl`) owns the SQLite
connection, robots decisions and politeness bookkeeping, and calls `on_document`;
a small thread pool only waits on the network; text extraction runs in the
coordinator or, once it holds the crawl up, in worker processes (ingest.extract_pool
explains why not threads and when).
So the pipeline's record store never sees concurrent writes, and a document's record
and its frontier mark are written back to back by one thread: a kill -9 loses at
most the URLs in flight and the last group of marks (Frontier.grouped: about a
second's worth), which the next run fetches again.

A run: (1) read feeds and sitemaps (conditional GET) and add new URLs to the
frontier; (2) fetch what is due: new URLs, failed ones whose retry time has come,
and recent articles due for a revisit (conditional GET, then content hash), until
nothing is due or `max_pages` is reached.
"""
from __future__ import annotations

import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ingest.extract_pool import Extraction, PageOutcome
from ingest.feeds import FeedError, parse_feed
from ingest.fetch import Fetcher
from ingest.frontier import CrawlItem, Frontier
from ingest.politeness import HostScheduler
from ingest.robots import RobotsCache
from ingest.sitemaps import SitemapError, parse_sitemap
from ingest.types import Document, FetchResult, InputFailure, SourceSpec
from ingest.urls import host_of

# content types accepted for feeds and sitemaps (text/html too, so that a feed URL that
# now serves a web page is reported as "feed_parse" rather than an opaque type error)
LISTING_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                 "text/xml", "application/feed+json", "application/json", "text/plain", "text/html",
                 "application/gzip", "application/x-gzip", "application/octet-stream")


@dataclass
class CrawlOptions:
    concurrency: int = 4                  # fetch threads, all hosts together
    per_host_concurrency: int = 1
    delay: float = 1.0                    # seconds between requests to one host (robots Crawl-delay may raise it)
    polite_loopback: bool = True          # False: no delay/limit for 127.0.0.1/localhost (local benchmarks)
    respect_robots: bool = True
    revisit_after: float | None = 12 * 3600   # seconds until a fetched article is checked again; None = never
    revisit_max_age_days: float = 7.0     # articles older than this are not revisited
    max_sitemaps: int = 50                # per source, including children of sitemap indexes
    extract_processes: int | None = None  # worker processes for extraction; 0 = inline; None = automatic
                                          # (inline until extraction holds the crawl up; ingest.extract_pool)
    claim_batch: int = 200


@dataclass
class CrawlCounts:
    discovered: int = 0        # URLs new to the frontier
    fetched: int = 0           # page requests answered (200 or 304)
    new: int = 0               # documents handed to on_document for the first time
    updated: int = 0           # documents whose text changed since the last run
    unchanged: int = 0         # 304, or same content hash
    duplicates: int = 0        # same canonical URL as another page of the same source
    skipped_robots: int = 0
    skipped_old: int = 0       # published before `since` / the source's max age
    failed: Counter[str] = field(default_factory=Counter)   # reason -> count


@dataclass
class CrawlReport(CrawlCounts):
    per_source: dict[str, CrawlCounts] = field(default_factory=dict)
    failures: list[InputFailure] = field(default_factory=list)
    stopped_at_max_pages: bool = False
    extract_workers: int = 0   # worker processes that extracted pages (0: all inline)

    def add(self, source: str, name: str, n: int = 1) -> None:
        for counts in (self, self.per_source.setdefault(source, CrawlCounts())):
            setattr(counts, name, getattr(counts, name) + n)

    def fail(self, source: str, failure: InputFailure) -> None:
        self.failed[failure.reason] += 1
        self.per_source.setdefault(source, CrawlCounts()).failed[failure.reason] += 1
        self.failures.append(failure)


Progress = Callable[[str, int, int | None], None]   # (stage, done, total): "discover" or "crawl"


def _as_date(value: str | date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise ValueError(f"since must be an ISO date like 2025-03-01, not {value!r}") from None


class _Crawl:
    def __init__(self, conn: sqlite3.Connection, sources: list[SourceSpec], fetcher: Fetcher,
                 on_document: Callable[[Document], None], options: CrawlOptions, max_pages: int | None,
                 since: str | None, progress: Progress | None) -> None:
        self.frontier = Frontier(conn)
        self.robots = RobotsCache(conn, fetcher)
        self.fetcher = fetcher
        self.on_document = on_document
        self.options = options
        self.max_pages = max_pages
        self.since = since
        self.progress = progress or (lambda stage, done, total: None)
        self.listings_done = 0
        self.listings_total = sum(len(s.feeds) + len(s.sitemaps) for s in sources)
        self.pages_done = 0
        self.sources = {spec.name: spec for spec in sources}
        self.hosts = HostScheduler(options.delay, options.per_host_concurrency, options.polite_loopback)
        self.report = CrawlReport()
        self.pages_left: dict[str, int | None] = {spec.name: spec.max_pages for spec in sources}
        self.dispatched = 0

    # -- progress -----------------------------------------------------------------------------
    def _listing_done(self) -> None:
        self.listings_done += 1
        # children of sitemap indexes are found on the way, so the total can grow
        self.progress("discover", self.listings_done, max(self.listings_total, self.listings_done))

    def _page_done(self) -> None:
        self.pages_done += 1
        self.progress("crawl", self.pages_done, None)

    # -- policies -----------------------------------------------------------------------------
    def cutoff(self, spec: SourceSpec) -> str | None:
        """Oldest publication date still wanted for this source."""
        dates = [self.since] if self.since else []
        if spec.max_age_days is not None:
            dates.append((datetime.now(timezone.utc) - timedelta(days=spec.max_age_days)).date().isoformat())
        return max(dates) if dates else None

    def revisit_at(self, published: str | None, discovered_at: str | None) -> datetime | None:
        if self.options.revisit_after is None:
            return None
        now = datetime.now(timezone.utc)
        reference = published or (discovered_at or "")[:10]
        if reference:
            try:
                age = now.date() - date.fromisoformat(reference[:10])
            except ValueError:
                age = timedelta(0)
            if age > timedelta(days=self.options.revisit_max_age_days):
                return None
        return now + timedelta(seconds=self.options.revisit_after)

    def _robots_verdict(self, url: str, spec: SourceSpec) -> str | None:
        """None if allowed, else "robots" (disallowed) or "robots_unreachable"."""
        host = host_of(url)
        self.hosts.set_delay(host, spec.delay if spec.delay is not None else self.options.delay)
        if not self.options.respect_robots:
            return None
        rules = self.robots.cached(url)
        if rules is None:
            with self.hosts.turn(host):
                rules = self.robots.rules(url, allow_private=spec.allow_private)
        self.hosts.set_delay(host, rules.crawl_delay)
        if rules.disallow_all:
            return "robots_unreachable"
        return None if rules.allowed(url) else "robots"

    # -- discovery ----------------------------------------------------------------------------
    def _fetch_listing(self, url: str, spec: SourceSpec, kind: str, parent: str | None = None) -> FetchResult | None:
        """Fetch a feed or sitemap in the coordinator thread, politely (conditional GET).
        None if there is nothing new to read: not allowed, failed, or unchanged (304)."""
        verdict = self._robots_verdict(url, spec)
        if verdict:
            self._fail_listing(url, spec, kind, verdict, "robots.txt does not allow reading this " + kind, parent)
            return None
        etag, last_modified = self.frontier.feed_validators(url)
        with self.hosts.turn(host_of(url)):
            result = self.fetcher.get(url, etag, last_modified, allow_private=spec.allow_private, accept=LISTING_TYPES)
        if result.unchanged:
            self.frontier.record_feed(url, spec.name, kind, parent=parent)
            self._listing_done()
            return None
        if not result.ok:
            self._fail_listing(url, spec, kind, result.error or "fetch_error", result.message, parent)
            return None
        return result

    def _fail_listing(self, url: str, spec: SourceSpec, kind: str, reason: str, message: str,
                      parent: str | None = None) -> None:
        self.frontier.record_feed(url, spec.name, kind, reason=reason, message=message, parent=parent)
        self.report.fail(spec.name, InputFailure(url, reason, f"{kind}: {message}"))
        self._listing_done()

    def _add_entries(self, spec: SourceSpec, listing: str, entries: Iterable[tuple[str, str | None]]) -> int:
        cutoff = self.cutoff(spec)
        fresh = []
        for url, published in entries:
            if cutoff and published and published < cutoff:
                self.report.add(spec.name, "skipped_old")
            else:
                fresh.append((url, published))
        new = self.frontier.add_many(fresh, spec.name, discovered_from=listing, depth=1)
        self.report.add(spec.name, "discovered", new)
        return len(fresh)

    def _read_feed(self, spec: SourceSpec, url: str) -> None:
        result = self._fetch_listing(url, spec, "feed")
        if result is None:
            return
        try:
            entries = parse_feed(result.body, result.final_url)
        except FeedError as err:
            self._fail_listing(url, spec, "feed", "feed_parse", str(err))
            return
        found = self._add_entries(spec, url, ((e.url, e.published) for e in entries))
        self.frontier.record_feed(url, spec.name, "feed", etag=result.headers.get("etag"),
                                  last_modified=result.headers.get("last-modified"), entries=found)
        self._listing_done()

    def _read_sitemaps(self, spec: SourceSpec) -> None:
        """Sitemaps and the children of sitemap indexes, breadth first. An unchanged index
        (304) still has its children read: they change while the index does not."""
        queue: deque[tuple[str, str | None]] = deque((url, None) for url in spec.sitemaps)
        seen: set[str] = set()
        while queue and len(seen) < self.options.max_sitemaps:
            url, parent = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            result = self._fetch_listing(url, spec, "sitemap", parent)
            if result is None:
                queue.extend((child, url) for child in self.frontier.child_sitemaps(url))
                continue
            try:
                sitemap = parse_sitemap(result.body, result.final_url, max_bytes=self.fetcher.config.max_bytes)
            except SitemapError as err:
                self._fail_listing(url, spec, "sitemap", "feed_parse", str(err), parent)
                continue
            queue.extend((child, url) for child in sitemap.sitemaps)
            found = self._add_entries(spec, url, ((e.url, e.published) for e in sitemap.entries))
            self.frontier.record_feed(url, spec.name, "sitemap", etag=result.headers.get("etag"),
                                      last_modified=result.headers.get("last-modified"),
                                      entries=found + len(sitemap.sitemaps), parent=parent)
            self._listing_done()

    def discover(self) -> None:
        for spec in self.sources.values():
            new = self.frontier.add_many(((url, None) for url in spec.urls), spec.name, discovered_from="config")
            self.report.add(spec.name, "discovered", new)
            for feed in spec.feeds:
                self._read_feed(spec, feed)
            self._read_sitemaps(spec)

    # -- fetching -----------------------------------------------------------------------------
    def _pages_spent(self) -> bool:
        return self.max_pages is not None and self.dispatched >= self.max_pages

    def _record(self, outcome: PageOutcome) -> None:
        """Coordinator thread: turn one fetch outcome into frontier marks, counts and a document."""
        item, result, spec = outcome.item, outcome.result, self.sources[outcome.item.source]
        name = spec.name
        if result.error:
            self.frontier.mark_failed(item.url, result.error, result.message, http_status=result.status,
                                      retry_after=result.retry_after)
            self.report.fail(name, InputFailure(item.fetch_url, result.error, result.message))
            return
        self.report.add(name, "fetched")
        if result.unchanged:
            self.frontier.mark_unchanged(item.url, http_status=304,
                                         revisit_at=self.revisit_at(item.published, item.discovered_at))
            self.report.add(name, "unchanged")
            return
        if outcome.error is not None:
            self.frontier.mark_failed(item.url, outcome.error.reason, outcome.error.message, http_status=result.status)
            self.report.fail(name, InputFailure(item.fetch_url, outcome.error.reason, outcome.error.message))
            return
        document = outcome.document
        if document is None:   # unreachable: a 200 result has either a document or an error
            raise RuntimeError(f"no document and no error for {item.fetch_url}")
        validators = {"etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified")}
        revisit = self.revisit_at(document.published or item.published, item.discovered_at)
        cutoff = self.cutoff(spec)
        if cutoff and document.published and document.published < cutoff:
            self.frontier.mark_skipped(item.url, "skipped_old", "published_before_cutoff",
                                       f"published {document.published}, before {cutoff}")
            self.report.add(name, "skipped_old")
            return
        if document.content_hash == item.content_hash:
            self.frontier.mark_unchanged(item.url, http_status=result.status, revisit_at=revisit, **validators)
            self.report.add(name, "unchanged")
            return
        owner = self.frontier.canonical_owner(document.canonical_url, item.url, source=name)
        if owner:
            self.frontier.mark_skipped(item.url, "duplicate", "same_canonical", f"same canonical URL as {owner}")
            self.report.add(name, "duplicates")
            return
        self.frontier.commit()   # the store may open its own transaction (BEGIN fails inside another)
        try:
            self.on_document(document)
        except Exception as err:  # noqa: BLE001 - one failing document must not end the crawl
            self.frontier.discard_uncommitted()
            message = f"on_document raised {type(err).__name__}: {err}"
            self.frontier.mark_failed(item.url, "pipeline_error", message, http_status=result.status)
            self.report.fail(name, InputFailure(item.fetch_url, "pipeline_error", message))
            return
        # whatever on_document left uncommitted on this connection is committed with the mark
        self.frontier.mark_fetched(item.url, http_status=result.status, content_hash=document.content_hash,
                                   canonical_url=document.canonical_url, published=document.published,
                                   revisit_at=revisit, **validators)
        self.report.add(name, "updated" if item.content_hash else "new")

    def _admit(self, item: CrawlItem) -> bool:
        """robots.txt check before dispatch; False if the item was settled (skipped or deferred) here."""
        spec = self.sources[item.source]
        verdict = self._robots_verdict(item.fetch_url, spec)
        if verdict == "robots":
            self.frontier.mark_skipped(item.url, "skipped_robots", "robots", "disallowed by robots.txt")
            self.report.add(spec.name, "skipped_robots")
            self._page_done()
            return False
        if verdict == "robots_unreachable":
            message = "robots.txt could not be read; retried on a later run"
            self.frontier.mark_failed(item.url, verdict, message)
            self.report.fail(spec.name, InputFailure(item.fetch_url, verdict, message))
            self._page_done()
            return False
        return True

    def fetch_due(self) -> None:
        queues: dict[str, deque[CrawlItem]] = {}
        running: dict[Future[FetchResult], tuple[str, CrawlItem]] = {}
        extracting: dict[Future[PageOutcome], tuple[CrawlItem, FetchResult]] = {}
        exhausted = False
        extraction = Extraction(self.options.extract_processes)
        try:
            with self.frontier.grouped(), \
                    ThreadPoolExecutor(max_workers=self.options.concurrency, thread_name_prefix="crawl") as pool:
                while True:
                    if self._pages_spent():
                        if any(queues.values()) or not exhausted:
                            self.report.stopped_at_max_pages = True
                        for queue in queues.values():
                            while queue:
                                self.frontier.release(queue.popleft().url)
                        exhausted = True
                    names = [n for n, left in self.pages_left.items() if left is None or left > 0]
                    if not exhausted and sum(len(q) for q in queues.values()) < self.options.claim_batch // 2:
                        claimed = self.frontier.claim(self.options.claim_batch, sources=names) if names else []
                        exhausted = not claimed
                        for item in claimed:
                            queues.setdefault(host_of(item.fetch_url), deque()).append(item)
                    if len(extracting) < extraction.capacity:
                        self._dispatch(pool, queues, running)
                    if not running and not extracting and exhausted and not any(queues.values()):
                        break
                    waits = [self.hosts.wait_time(h) for h, q in queues.items() if q]
                    timeout = min([w for w in waits if w != float("inf")] or [1.0])
                    if not running and not extracting:
                        time.sleep(min(timeout, 1.0))
                        continue
                    if len(extracting) >= extraction.capacity or len(running) >= self.options.concurrency:
                        timeout = None   # only a finished fetch or extraction can unblock: no polling
                    else:
                        timeout = max(timeout, 0.01)
                    done, _ = wait([*running, *extracting], timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in done:
                        if future in running:
                            host, item = running.pop(future)
                            self.hosts.finish(host)
                            result = future.result()
                            extracting[extraction.submit(item, result, self.sources[item.source])] = (item, result)
                        else:
                            item, result = extracting.pop(future)
                            self._record(extraction.outcome(future, item, result, self.sources[item.source]))
                            self._page_done()
        finally:
            extraction.close()
            self.report.extract_workers = extraction.workers_started

    def _dispatch(self, pool: ThreadPoolExecutor, queues: dict[str, deque[CrawlItem]],
                  running: dict[Future[FetchResult], tuple[str, CrawlItem]]) -> None:
        """Start fetches for hosts that are ready, within the global, per-host and per-source limits."""
        for host, queue in sorted(queues.items(), key=lambda hq: self.hosts.wait_time(hq[0])):
            while queue and len(running) < self.options.concurrency and not self._pages_spent():
                spec = self.sources[queue[0].source]
                left = self.pages_left[spec.name]
                if left is not None and left <= 0:
                    self.frontier.release(queue.popleft().url)
                    continue
                if not self._admit(queue[0]):
                    queue.popleft()
                    continue
                if self.hosts.wait_time(host) > 0:
                    break
                item = queue.popleft()
                self.hosts.start(host)
                self.dispatched += 1
                if left is not None:
                    self.pages_left[spec.name] = left - 1
                future = pool.submit(self.fetcher.get, item.fetch_url, item.etag, item.last_modified,
                                     allow_private=spec.allow_private)
                running[future] = (host, item)


def crawl(
    conn: sqlite3.Connection,
    sources: list[SourceSpec],
    fetcher: Fetcher,
    on_document: Callable[[Document], None],
    *,
    max_pages: int | None = None,
    since: str | date | datetime | None = None,
    progress: Progress | None = None,
    options: CrawlOptions | None = None,
) -> CrawlReport:
    """Discover and fetch articles of `sources`; call `on_document` for each new or changed one.

    `on_document` runs in the calling thread. Writes it leaves uncommitted on `conn` are
    committed together with the URL's frontier mark (exactly once, even under kill -9);
    a store that commits by itself must be idempotent for the same document (the lead's
    content-hash check is), because a kill between its commit and the mark makes the
    next run hand over the same document again.
    `since` (ISO date) skips articles published earlier; `max_pages` caps page requests
    in this run. Returns counts overall and per source, and every failure with its reason.

    Extraction may move to worker processes, and with more than one CPU a throw-away
    process tells when their fork server has warmed up; like "spawn" processes, they import
    the program's main module, so a script that calls `crawl` needs the usual
    `if __name__ == "__main__":` guard, or `CrawlOptions(extract_processes=0)`.
    """
    run = _Crawl(conn, sources, fetcher, on_document, options or CrawlOptions(), max_pages, _as_date(since), progress)
    run.discover()
    run.fetch_due()
    return run.report
