"""Crawl state in SQLite: which URLs are known, due, done, failed, and when to retry.

Why SQLite on a connection we are given: the crawl state lives in the same database
as the record (the record's migrations include SCHEMA_SQL), so one file holds
everything. Every mark commits (unless inside `transaction()` or `grouped()`), so a
crash or kill -9 loses at most the URLs in flight; they are still due on the next run.
The crawl's fetch loop groups its marks (`grouped()`): one commit per page was most
of the time of an unchanged re-run, and a lost group only makes its URLs due again. Works with
connections in autocommit mode (isolation_level=None) and in sqlite3's default mode. Claims are held in
memory, not in the database, so nothing needs "unlocking" after a crash (one crawl
process per database at a time).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from time import monotonic

from ingest.failures import is_retryable
from ingest.urls import canonicalize, strip_tracking

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS crawl_urls (
    url             TEXT PRIMARY KEY,      -- canonicalize()d URL as discovered: the dedupe key
    fetch_url       TEXT NOT NULL,         -- first spelling seen, minus fragment/tracking: what is requested
    canonical_url   TEXT,                  -- the page's own canonical URL, known after fetching
    source          TEXT NOT NULL,         -- SourceSpec.name that discovered it
    discovered_from TEXT,                  -- feed / sitemap / start list URL
    status          TEXT NOT NULL DEFAULT 'pending',
        -- pending | fetched | unchanged | failed (retry scheduled) | dead (given up)
        -- | skipped_robots | skipped_old | duplicate
    http_status     INTEGER,
    etag            TEXT,
    last_modified   TEXT,
    content_hash    TEXT,                  -- Document.content_hash of the last stored version
    attempts        INTEGER NOT NULL DEFAULT 0,   -- consecutive failures
    next_attempt_at TEXT,                  -- ISO UTC, due when <= now, NULL = never again
    last_reason     TEXT,                  -- short failure/skip reason (http_404, timeout, robots, ...)
    last_error      TEXT,                  -- message of the last failure
    fetched_at      TEXT,
    discovered_at   TEXT NOT NULL,
    depth           INTEGER NOT NULL DEFAULT 0,
    published       TEXT                   -- ISO date: feed/sitemap hint, then the article's own date
);
CREATE INDEX IF NOT EXISTS crawl_urls_due ON crawl_urls (next_attempt_at);
CREATE INDEX IF NOT EXISTS crawl_urls_source ON crawl_urls (source, status);
CREATE INDEX IF NOT EXISTS crawl_urls_canonical ON crawl_urls (canonical_url);

CREATE TABLE IF NOT EXISTS crawl_feeds (
    url           TEXT PRIMARY KEY,        -- feed or sitemap URL
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,           -- feed | sitemap
    parent        TEXT,                    -- the sitemap index that listed this sitemap
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT,
    entries       INTEGER,                 -- URLs found at the last successful read
    last_reason   TEXT,
    last_error    TEXT
);

CREATE TABLE IF NOT EXISTS robots_cache (
    host       TEXT PRIMARY KEY,           -- origin: scheme://host[:port]
    status     INTEGER,                    -- HTTP status of robots.txt (NULL: network failure)
    body       TEXT,
    fetched_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""

DUE_STATUSES = ("pending", "failed", "fetched", "unchanged")
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(hours=1)      # first retry of a failed URL on a later run; doubles per attempt
RETRY_MAX = timedelta(days=7)
GROUP_WRITES = 200                   # grouped(): commit after this many marks ...
GROUP_SECONDS = 1.0                  # ... or when the group's first mark is this old


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """Fixed-width ISO UTC timestamp, so that string order in SQL is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


@dataclass
class CrawlItem:
    """A URL claimed for fetching, with what we know from earlier runs."""

    url: str                 # frontier key (canonical form)
    fetch_url: str           # what to request
    source: str
    status: str
    depth: int = 0
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    attempts: int = 0
    published: str | None = None
    discovered_from: str | None = None
    discovered_at: str | None = None


class Frontier:
    def __init__(self, conn: sqlite3.Connection, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.conn = conn
        self.clock = clock
        self._in_flight: set[str] = set()
        self._tx_depth = 0
        self._grouping = False
        self._group_writes = 0
        self._group_started = 0.0
        conn.executescript(SCHEMA_SQL)
        self.started = self.now()   # URLs fetched after this are not claimed again by this instance

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes (e.g. the caller's record insert and mark_fetched) into one commit."""
        if self._tx_depth == 0 and not self.conn.in_transaction:
            self.conn.execute("BEGIN")
        self._tx_depth += 1
        try:
            yield
        except BaseException:
            self._tx_depth -= 1
            if self._tx_depth == 0:
                self.conn.rollback()
            raise
        self._tx_depth -= 1
        if self._tx_depth == 0:
            self.conn.commit()

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """Commit the marks written inside in groups (GROUP_WRITES marks or GROUP_SECONDS)
        instead of one by one, and whatever is pending at the end. A kill -9 loses at most
        the last group: those URLs are due again on the next run, and a caller's uncommitted
        writes of the same group (see `commit`) are lost with their marks."""
        self._grouping = True
        try:
            yield
        finally:
            self._grouping = False
            self.commit()

    def commit(self) -> None:
        """End the current group now: before a caller's own transaction (BEGIN fails inside
        another), or to make its writes durable."""
        if self._tx_depth == 0 and self.conn.in_transaction:
            self.conn.commit()
        self._group_writes = 0

    def discard_uncommitted(self) -> None:
        """Roll back writes left open on the connection (e.g. by a failed on_document)."""
        if self._tx_depth == 0 and self.conn.in_transaction:
            self.conn.rollback()
        self._group_writes = 0

    def _write(self, sql: str, params: dict | tuple) -> sqlite3.Cursor:
        if self._tx_depth == 0 and self._grouping:
            if not self.conn.in_transaction:
                self.conn.execute("BEGIN")
            if self._group_writes == 0:
                self._group_started = monotonic()
            cursor = self.conn.execute(sql, params)
            self._group_writes += 1
            if self._group_writes >= GROUP_WRITES or monotonic() - self._group_started >= GROUP_SECONDS:
                self.commit()
            return cursor
        cursor = self.conn.execute(sql, params)
        if self._tx_depth == 0:
            self.conn.commit()
        return cursor

    def now(self) -> str:
        return iso(self.clock())

    # -- discovery ----------------------------------------------------------------------------
    def add(self, url: str, source: str, *, discovered_from: str | None = None, depth: int = 0,
            published: str | None = None) -> bool:
        """Record a discovered URL (deduped by canonical form). True if it was new."""
        key = canonicalize(url)
        if self.conn.execute("SELECT 1 FROM crawl_urls WHERE url = ?", (key,)).fetchone():
            if published:
                self._write("UPDATE crawl_urls SET published = COALESCE(published, ?) WHERE url = ?", (published, key))
            return False
        now = self.now()
        self._write(
            "INSERT INTO crawl_urls (url, fetch_url, source, discovered_from, status, next_attempt_at, discovered_at,"
            " depth, published) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            (key, strip_tracking(url), source, discovered_from, now, now, depth, published))
        return True

    def add_many(self, urls: Iterable[tuple[str, str | None]], source: str, *, discovered_from: str | None = None,
                 depth: int = 0) -> int:
        """Add (url, published hint) pairs in one transaction; returns how many were new."""
        with self.transaction():
            return sum(self.add(url, source, discovered_from=discovered_from, depth=depth, published=published)
                       for url, published in urls)

    # -- claiming -----------------------------------------------------------------------------
    def claim(self, limit: int, *, sources: Iterable[str] | None = None) -> list[CrawlItem]:
        """Up to `limit` due URLs not in flight and not yet fetched by this instance: new ones first
        (newest publication date first), then retries, then revisits."""
        params: list[object] = [self.now(), *DUE_STATUSES, self.started]
        where = ["next_attempt_at IS NOT NULL", "next_attempt_at <= ?",
                 f"status IN ({','.join('?' * len(DUE_STATUSES))})",
                 "(status IN ('pending', 'failed') OR fetched_at IS NULL OR fetched_at < ?)"]
        if sources is not None:
            names = list(sources)
            where.append(f"source IN ({','.join('?' * len(names))})")
            params.extend(names)
        if self._in_flight:
            where.append(f"url NOT IN ({','.join('?' * len(self._in_flight))})")
            params.extend(self._in_flight)
        rows = self.conn.execute(
            "SELECT url, fetch_url, source, status, depth, etag, last_modified, content_hash, attempts, published,"
            " discovered_from, discovered_at"
            f" FROM crawl_urls WHERE {' AND '.join(where)}"
            " ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 ELSE 2 END, depth,"
            " published DESC NULLS LAST, next_attempt_at, url"
            " LIMIT ?", (*params, limit)).fetchall()
        items = [CrawlItem(*row) for row in rows]
        self._in_flight.update(item.url for item in items)
        return items

    def release(self, url: str) -> None:
        """Forget an in-flight claim without marking (e.g. the crawl stopped before fetching it)."""
        self._in_flight.discard(url)

    # -- outcomes -----------------------------------------------------------------------------
    def mark_fetched(self, url: str, *, http_status: int | None, etag: str | None, last_modified: str | None,
                     content_hash: str, canonical_url: str | None, published: str | None = None,
                     revisit_at: datetime | None = None) -> None:
        """A stored (new or updated) document, with its validators for the next conditional GET."""
        now = self.now()
        self._write(
            "UPDATE crawl_urls SET status = 'fetched', http_status = ?, etag = COALESCE(?, etag),"
            " last_modified = COALESCE(?, last_modified), content_hash = ?, canonical_url = COALESCE(?, canonical_url),"
            " published = COALESCE(?, published), attempts = 0, last_reason = NULL, last_error = NULL,"
            " fetched_at = ?, next_attempt_at = ? WHERE url = ?",
            (http_status, etag, last_modified, content_hash, canonical_url, published, now,
             iso(revisit_at) if revisit_at else None, canonicalize(url)))
        self._in_flight.discard(canonicalize(url))

    def mark_unchanged(self, url: str, *, http_status: int | None, revisit_at: datetime | None = None,
                       etag: str | None = None, last_modified: str | None = None) -> None:
        """Server said 304, or the text hash equals the stored one: nothing to store."""
        self._write(
            "UPDATE crawl_urls SET status = 'unchanged', http_status = ?, etag = COALESCE(?, etag),"
            " last_modified = COALESCE(?, last_modified), attempts = 0, last_reason = NULL, last_error = NULL,"
            " fetched_at = ?, next_attempt_at = ? WHERE url = ?",
            (http_status, etag, last_modified, self.now(), iso(revisit_at) if revisit_at else None, canonicalize(url)))
        self._in_flight.discard(canonicalize(url))

    def mark_failed(self, url: str, reason: str, message: str, *, http_status: int | None = None,
                    retry_after: float | None = None) -> str:
        """Record a failure; schedules a retry on a later run (exponential backoff) when the
        reason is transient and attempts remain, otherwise gives up ("dead"). Returns the status."""
        key = canonicalize(url)
        row = self.conn.execute("SELECT attempts FROM crawl_urls WHERE url = ?", (key,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        next_at: str | None = None
        status = "dead"
        if is_retryable(reason) and attempts < MAX_ATTEMPTS:
            status = "failed"
            delay = min(RETRY_MAX, RETRY_BASE * 2 ** (attempts - 1))
            if retry_after:
                delay = max(delay, timedelta(seconds=retry_after))
            next_at = iso(self.clock() + delay)
        self._write(
            "UPDATE crawl_urls SET status = ?, http_status = COALESCE(?, http_status), attempts = ?,"
            " last_reason = ?, last_error = ?, next_attempt_at = ? WHERE url = ?",
            (status, http_status, attempts, reason, message, next_at, key))
        self._in_flight.discard(key)
        return status

    def mark_skipped(self, url: str, status: str, reason: str, message: str = "",
                     retry_at: datetime | None = None) -> None:
        """skipped_robots / skipped_old / duplicate: not fetched or not stored, on purpose."""
        self._write(
            "UPDATE crawl_urls SET status = ?, last_reason = ?, last_error = ?, next_attempt_at = ? WHERE url = ?",
            (status, reason, message or None, iso(retry_at) if retry_at else None, canonicalize(url)))
        self._in_flight.discard(canonicalize(url))

    # -- lookups ------------------------------------------------------------------------------
    def canonical_owner(self, canonical_url: str, url: str, *, source: str | None = None) -> str | None:
        """Another stored URL (of `source`, if given) whose page declares the same canonical URL."""
        row = self.conn.execute(
            "SELECT url FROM crawl_urls WHERE canonical_url = ? AND url != ? AND status IN ('fetched', 'unchanged')"
            " AND (? IS NULL OR source = ?) LIMIT 1", (canonical_url, canonicalize(url), source, source)).fetchone()
        return row[0] if row else None

    def get(self, url: str) -> dict | None:
        cursor = self.conn.execute("SELECT * FROM crawl_urls WHERE url = ?", (canonicalize(url),))
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def counts(self, source: str | None = None) -> dict[str, int]:
        sql = "SELECT status, COUNT(*) FROM crawl_urls" + (" WHERE source = ?" if source else "") + " GROUP BY status"
        return dict(self.conn.execute(sql, (source,) if source else ()).fetchall())

    # -- feeds and sitemaps -------------------------------------------------------------------
    def feed_validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.conn.execute("SELECT etag, last_modified FROM crawl_feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def child_sitemaps(self, index_url: str) -> list[str]:
        """Sitemaps listed by a sitemap index at its last successful read (for a 304 on the index)."""
        return [row[0] for row in self.conn.execute(
            "SELECT url FROM crawl_feeds WHERE parent = ? ORDER BY url", (index_url,))]

    def record_feed(self, url: str, source: str, kind: str, *, etag: str | None = None,
                    last_modified: str | None = None, entries: int | None = None,
                    reason: str | None = None, message: str | None = None, parent: str | None = None) -> None:
        """Remember a feed/sitemap read (validators for the next conditional GET) or its failure."""
        self._write(
            "INSERT INTO crawl_feeds (url, source, kind, parent, etag, last_modified, fetched_at, entries, last_reason,"
            " last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET source = excluded.source,"
            " kind = excluded.kind, parent = COALESCE(excluded.parent, crawl_feeds.parent),"
            " etag = COALESCE(excluded.etag, crawl_feeds.etag),"
            " last_modified = COALESCE(excluded.last_modified, crawl_feeds.last_modified),"
            " fetched_at = excluded.fetched_at, entries = COALESCE(excluded.entries, crawl_feeds.entries),"
            " last_reason = excluded.last_reason, last_error = excluded.last_error",
            (url, source, kind, parent, etag, last_modified, self.now(), entries, reason, message))
