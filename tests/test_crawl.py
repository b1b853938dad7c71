"""Crawling against a real local HTTP server: discovery, politeness rules, incremental
re-crawls, failures, and resuming after kill -9."""
from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpserver import LocalServer, Reply

from ingest.crawl import CrawlOptions, crawl
from ingest.fetch import Fetcher, FetchConfig
from ingest.frontier import Frontier
from ingest.types import SourceSpec
from ingest.urls import strip_tracking

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"

TOPICS = ["Windkraft", "Schienenverkehr", "Halbleiter", "Wohnungsbau", "Landwirtschaft", "Raumfahrt",
          "Batteriespeicher", "Fernwärme", "Glasfaser", "Wasserstoff", "Stahlindustrie", "Tourismus"]


TODAY = date.today().isoformat()


def article(i: int, *, version: int = 1, canonical: str | None = None, date: str = TODAY) -> str:
    topic = TOPICS[i % len(TOPICS)]
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>{topic}: Bericht Nummer {i}</title>{link}
<meta property="article:published_time" content="{date}T09:00:00+01:00">
<meta name="author" content="Jana Beispiel"></head><body>
<nav><a href="/">Startseite</a></nav><article><h1>{topic}: Bericht Nummer {i}</h1>
<p>Die Investitionen in {topic} sind im vergangenen Jahr um {i + 3} Prozent gestiegen, wie aus Zahlen
eines Branchenverbands hervorgeht. Fachleute rechnen für die kommenden Jahre mit einem weiteren Anstieg.</p>
<p>Nach Angaben des Verbands arbeiten inzwischen rund {1000 * (i + 1)} Menschen in dem Bereich {topic}.
Die Zahl der offenen Stellen liegt demnach bei etwa {40 + i} Prozent des Vorjahreswertes (Fassung {version}).</p>
<p>Kritiker bemängeln dagegen lange Genehmigungsverfahren und fehlende Fachkräfte im Bereich {topic}.
Ein <a href="https://example.org/studie-{i}">Gutachten</a> empfiehlt, Verfahren deutlich zu verkürzen.</p>
</article><footer>Impressum</footer></body></html>"""


def rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(f"<item><title>t</title><link>{url}</link><pubDate>{date}</pubDate></item>" for url, date in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f</title>{entries}</channel></rss>'


def urlset(urls: list[str]) -> str:
    body = "".join(f"<url><loc>{u}</loc><lastmod>2025-03-29</lastmod></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'


def sitemap_index(urls: list[str]) -> str:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'


class Store:
    """A stand-in for the pipeline's record store: writes on the crawl's connection, no commit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute("CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, url TEXT, hash TEXT, title TEXT)")
        conn.commit()
        self.documents = []

    def __call__(self, document) -> None:
        self.documents.append(document)
        self.conn.execute("INSERT INTO docs (url, hash, title) VALUES (?, ?, ?)",
                          (document.url, document.content_hash, document.title))

    def urls(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT url FROM docs ORDER BY url")]


FAST = CrawlOptions(delay=0.0, concurrency=4, revisit_after=None)


@pytest.fixture()
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture()
def conn(tmp_path):
    connection = sqlite3.connect(tmp_path / "crawl.db")
    yield connection
    connection.close()


def fetcher() -> Fetcher:
    return Fetcher(FetchConfig(allow_private=True, backoff_base=0.05, max_retries=1,
                               user_agent="newsgraph-test/1.0 (+mailto:ops@example.org)"))


def site(server: LocalServer) -> SourceSpec:
    """robots.txt, an RSS feed, a sitemap index with one child sitemap, five articles (one disallowed)."""
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /intern/\nAllow: /intern/frei\n",
                                      content_type="text/plain"))
    for i in range(4):
        server.page(f"/news/{i}", article(i), etag=f'"a{i}-v1"')
    server.page("/intern/geheim", article(9))
    server.route("/feed.xml", Reply(body=rss([(server.url("/news/0"), "Sat, 29 Mar 2025 09:00:00 +0100"),
                                              (server.url("/news/1?utm_source=rss"), "Sat, 29 Mar 2025 08:00:00 +0100"),
                                              (server.url("/intern/geheim"), "Sat, 29 Mar 2025 07:00:00 +0100")]),
                                    content_type="application/rss+xml", etag='"feed-1"'))
    server.route("/sitemap.xml", Reply(body=sitemap_index([server.url("/sitemap-news.xml")]),
                                       content_type="application/xml"))
    server.route("/sitemap-news.xml", Reply(body=urlset([server.url(f"/news/{i}") for i in (1, 2, 3)]),
                                            content_type="application/xml"))
    return SourceSpec(name="lokal", feeds=[server.url("/feed.xml")], sitemaps=[server.url("/sitemap.xml")],
                      lang="de", allow_private=True)


def test_crawl_feed_and_sitemap_then_second_run_is_unchanged(server, conn):
    spec = site(server)
    store = Store(conn)
    revisit_now = CrawlOptions(delay=0.0, revisit_after=0)
    report = crawl(conn, [spec], fetcher(), store, options=revisit_now)
    assert sorted(store.urls()) == sorted(server.url(f"/news/{i}") for i in range(4))
    assert report.new == 4 and report.fetched == 4 and report.skipped_robots == 1
    assert report.discovered == 5 and not report.failed
    assert server.hits["/intern/geheim"] == 0 and server.hits["/news/1"] == 1
    first = store.documents[0]
    assert first.source == "127.0.0.1" and first.language == "de" and first.published == TODAY
    assert ("Gutachten", "https://example.org/studie-0") in next(d for d in store.documents if d.url.endswith("/0")).links
    assert all(r.headers["User-Agent"].startswith("newsgraph-test/1.0") for r in server.requests)

    # second run: everything due for a revisit answers 304 (ETag) -> unchanged, nothing stored again
    again = crawl(conn, [spec], fetcher(), store, options=revisit_now)
    assert again.unchanged == 4 and again.new == 0 and again.updated == 0 and again.discovered == 0
    assert server.requests[-1].headers.get("If-None-Match", "").startswith('"a')
    assert any(r.path == "/feed.xml" and r.headers.get("If-None-Match") == '"feed-1"' for r in server.requests)
    assert len(store.urls()) == 4
    assert Frontier(conn).counts() == {"unchanged": 4, "skipped_robots": 1}


def test_changed_page_without_validators_is_updated_and_same_text_is_unchanged(server, conn):
    server.route("/robots.txt", Reply(404))
    server.route("/a", Reply(body=article(1, version=1)))
    server.route("/b", Reply(body=article(2)))
    spec = SourceSpec(name="s", urls=[server.url("/a"), server.url("/b")], allow_private=True)
    store = Store(conn)
    revisit_now = CrawlOptions(delay=0.0, revisit_after=0)
    assert crawl(conn, [spec], fetcher(), store, options=revisit_now).new == 2
    server.route("/a", Reply(body=article(1, version=2)))
    report = crawl(conn, [spec], fetcher(), store, options=revisit_now)
    assert report.updated == 1 and report.unchanged == 1 and report.new == 0
    assert len(store.urls()) == 3


def test_failures_are_recorded_with_reasons_and_the_crawl_goes_on(server, conn):
    server.route("/robots.txt", Reply(404))
    server.page("/ok", article(1))
    server.route("/down", Reply(503))
    server.page("/empty", "<html><body><nav>Menü</nav></body></html>")
    server.page("/file.pdf", b"%PDF-1.7", content_type="application/pdf")
    server.route("/broken.xml", Reply(body="<rss><channel><item><link>", content_type="application/rss+xml"))
    server.route("/notafeed.xml", Reply(body="<html><body>Hallo</body></html>", content_type="text/xml"))
    urls = [server.url(p) for p in ("/ok", "/down", "/missing", "/empty", "/file.pdf")]
    spec = SourceSpec(name="s", urls=urls, feeds=[server.url("/broken.xml"), server.url("/notafeed.xml")],
                      allow_private=True)
    store = Store(conn)
    report = crawl(conn, [spec], fetcher(), store, options=FAST)
    assert report.new == 1
    assert report.failed == {"http_503": 1, "http_404": 1, "no_text": 1, "content_type": 1, "feed_parse": 2}
    assert {f.input for f in report.failures} >= set(urls[1:])
    frontier = Frontier(conn)
    down, missing = frontier.get(server.url("/down")), frontier.get(server.url("/missing"))
    assert down["status"] == "failed" and down["next_attempt_at"] > frontier.now() and down["attempts"] == 1
    assert missing["status"] == "dead" and missing["next_attempt_at"] is None
    # a later run does not retry before the backoff time, and never retries dead URLs
    later = crawl(conn, [spec], fetcher(), store, options=FAST)
    assert later.fetched == 0 and server.hits["/down"] == 2 and server.hits["/missing"] == 1


def test_robots_crawl_delay_and_agent_specific_rules(server, conn):
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /\n\nUser-agent: newsgraph-test\n"
                                           "Disallow: /*.pdf$\nCrawl-delay: 0.2\n", content_type="text/plain"))
    server.page("/a", article(1))
    server.page("/b.pdf", article(2))
    spec = SourceSpec(name="s", urls=[server.url("/a"), server.url("/b.pdf")], allow_private=True)
    report = crawl(conn, [spec], fetcher(), Store(conn), options=FAST)
    assert report.new == 1 and report.skipped_robots == 1 and server.hits["/b.pdf"] == 0
    assert conn.execute("SELECT status FROM robots_cache").fetchone() == (200,)


def test_unreachable_robots_defers_the_host(server, conn):
    server.route("/robots.txt", Reply(500))
    server.page("/a", article(1))
    spec = SourceSpec(name="s", urls=[server.url("/a")], allow_private=True)
    report = crawl(conn, [spec], fetcher(), Store(conn), options=FAST)
    assert report.failed == {"robots_unreachable": 1} and server.hits["/a"] == 0
    assert Frontier(conn).get(server.url("/a"))["status"] == "failed"


def test_since_skips_old_feed_entries_and_old_articles(server, conn):
    server.route("/robots.txt", Reply(404))
    server.page("/new", article(1))
    server.page("/old-in-feed", article(2, date="2020-01-01"))
    server.page("/old-undated-in-feed", article(3, date="2020-01-01"))
    server.route("/feed.xml", Reply(body=rss([(server.url("/new"), "Sat, 29 Mar 2025 09:00:00 GMT"),
                                              (server.url("/old-in-feed"), "Wed, 01 Jan 2020 09:00:00 GMT"),
                                              (server.url("/old-undated-in-feed"), "")]),
                                    content_type="application/rss+xml"))
    spec = SourceSpec(name="s", feeds=[server.url("/feed.xml")], allow_private=True)
    store = Store(conn)
    report = crawl(conn, [spec], fetcher(), store, since="2025-01-01", options=FAST)
    assert store.urls() == [server.url("/new")]
    assert report.skipped_old == 2 and server.hits["/old-in-feed"] == 0 and server.hits["/old-undated-in-feed"] == 1


def test_max_pages_and_per_source_limit(server, conn):
    server.route("/robots.txt", Reply(404))
    for i in range(6):
        server.page(f"/p{i}", article(i))
    spec_a = SourceSpec(name="a", urls=[server.url(f"/p{i}") for i in range(3)], allow_private=True, max_pages=1)
    spec_b = SourceSpec(name="b", urls=[server.url(f"/p{i}") for i in range(3, 6)], allow_private=True)
    report = crawl(conn, [spec_a, spec_b], fetcher(), Store(conn), options=FAST, max_pages=3)
    assert report.fetched == 3 and report.per_source["a"].fetched == 1 and report.stopped_at_max_pages
    second = crawl(conn, [spec_a, spec_b], fetcher(), Store(conn), options=FAST)
    assert second.per_source["a"].fetched == 1 and second.per_source["b"].fetched == 1
    third = crawl(conn, [spec_a, spec_b], fetcher(), Store(conn), options=FAST)
    assert third.fetched == 1 and not third.stopped_at_max_pages
    assert all(server.hits[f"/p{i}"] == 1 for i in range(6))


def test_same_canonical_url_within_a_source_is_a_duplicate(server, conn):
    server.route("/robots.txt", Reply(404))
    server.page("/story", article(1, canonical="/story"))
    server.page("/story-print", article(1, canonical="/story"))
    spec = SourceSpec(name="s", urls=[server.url("/story"), server.url("/story-print")], allow_private=True)
    report = crawl(conn, [spec], fetcher(), Store(conn), options=CrawlOptions(delay=0.0, concurrency=1))
    assert report.new == 1 and report.duplicates == 1


def test_on_document_error_is_a_recorded_failure(server, conn):
    server.route("/robots.txt", Reply(404))
    server.page("/a", article(1))
    server.page("/b", article(2))

    def flaky(document):
        if document.url.endswith("/a"):
            raise RuntimeError("store is full")
    spec = SourceSpec(name="s", urls=[server.url("/a"), server.url("/b")], allow_private=True)
    report = crawl(conn, [spec], fetcher(), flaky, options=FAST)
    assert report.new == 1 and report.failed == {"pipeline_error": 1}
    assert "store is full" in report.failures[0].message


WORKER = """
import sqlite3, sys
from ingest.crawl import CrawlOptions, crawl
from ingest.fetch import Fetcher, FetchConfig
from ingest.types import SourceSpec
from ingest.urls import strip_tracking

db, progress, feed = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(db)
conn.execute("CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, url TEXT, hash TEXT)")
conn.commit()
count = 0

def store(document):
    global count
    conn.execute("INSERT INTO docs (url, hash) VALUES (?, ?)", (document.url, document.content_hash))
    count += 1
    with open(progress, "a") as out:
        out.write(document.url + "\\n")

spec = SourceSpec(name="s", feeds=[feed], allow_private=True)
report = crawl(conn, [spec], Fetcher(FetchConfig(allow_private=True)), store,
               options=CrawlOptions(delay=0.0, concurrency=2, revisit_after=None))
print("new", report.new, "failed", dict(report.failed))
"""


def test_crawl_killed_midway_resumes_without_losses_or_duplicates(server, tmp_path):
    server.route("/robots.txt", Reply(404))
    urls = [server.url(f"/story/{i}") for i in range(20)]
    for i in range(20):
        server.route(f"/story/{i}", Reply(body=article(i), delay=0.15))
    server.route("/feed.xml", Reply(body=rss([(u, "") for u in urls]), content_type="application/rss+xml"))
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(WORKER))
    db, progress = tmp_path / "crawl.db", tmp_path / "progress.txt"
    args = [sys.executable, str(script), str(db), str(progress), server.url("/feed.xml")]

    victim = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:
        if progress.exists() and len(progress.read_text().splitlines()) >= 5:
            break
        time.sleep(0.02)
    assert victim.poll() is None, "the crawl finished before it could be killed: " + victim.stderr.read().decode()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    conn = sqlite3.connect(db)
    stored_before = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    conn.close()
    assert 0 < stored_before < 20

    finished = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    conn = sqlite3.connect(db)
    stored = [row[0] for row in conn.execute("SELECT url FROM docs")]
    assert sorted(stored) == sorted(urls)          # every article exactly once
    statuses = dict(conn.execute("SELECT status, COUNT(*) FROM crawl_urls GROUP BY status").fetchall())
    assert statuses == {"fetched": 20}
    conn.close()


def _corpus_rows(limit: int) -> list[dict[str, str]]:
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["url"].startswith("http")]
    seen, chosen = set(), []
    for row in rows:
        parts = urlsplit(strip_tracking(row["url"]))   # what the crawler will request
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in seen and (CORPUS / "html" / row["file"]).exists():
            seen.add(path)
            chosen.append({**row, "path": path})
        if len(chosen) == limit:
            break
    return chosen


def _serve_corpus(server, limit: int) -> list[dict]:
    """Serve `limit` corpus pages under their manifest URLs' paths (no robots.txt); return their rows."""
    rows = _corpus_rows(limit)
    server.route("/robots.txt", Reply(404))
    for row in rows:
        server.route(row["path"], Reply(body=(CORPUS / "html" / row["file"]).read_bytes(), content_type="text/html"))
    return rows


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").exists(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_pages_served_locally_are_all_fetched_or_failed_with_reason(server, conn):
    rows = _serve_corpus(server, 50)
    server.route("/sitemap.xml", Reply(body=urlset([server.url(r["path"]).replace("&", "&amp;") for r in rows]),
                                       content_type="application/xml"))
    spec = SourceSpec(name="corpus", sitemaps=[server.url("/sitemap.xml")], allow_private=True)
    store = Store(conn)
    options = CrawlOptions(delay=1.0, polite_loopback=False, concurrency=8, revisit_after=None)
    report = crawl(conn, [spec], fetcher(), store, options=options)
    frontier = Frontier(conn)
    assert report.discovered == len(rows)
    assert report.new + report.duplicates + sum(report.failed.values()) == len(rows)
    assert report.new >= 0.8 * len(rows)
    assert set(report.failed) <= {"no_text", "invalid_encoding"}
    counts = frontier.counts()
    assert sum(counts.values()) == len(rows) and set(counts) <= {"fetched", "dead", "duplicate"}
    assert all(d.text and d.content_hash for d in store.documents)


def test_autocommit_connection_and_a_store_with_its_own_transactions(server, tmp_path):
    """The record opens SQLite with isolation_level=None and wraps each document in BEGIN IMMEDIATE."""
    server.route("/robots.txt", Reply(404))
    for i in range(3):
        server.page(f"/s{i}", article(i))
    conn = sqlite3.connect(tmp_path / "record.db", isolation_level=None)
    conn.execute("CREATE TABLE docs (url TEXT PRIMARY KEY, hash TEXT)")

    def store(document):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO docs VALUES (?, ?)", (document.url, document.content_hash))
        conn.execute("COMMIT")
    events = []
    spec = SourceSpec(name="s", urls=[server.url(f"/s{i}") for i in range(3)], allow_private=True)
    report = crawl(conn, [spec], fetcher(), store, options=FAST, progress=lambda *event: events.append(event))
    assert report.new == 3 and not report.failed
    assert conn.execute("SELECT COUNT(*) FROM docs").fetchone() == (3,)
    assert not conn.in_transaction
    assert [e for e in events if e[0] == "crawl"] == [("crawl", 1, None), ("crawl", 2, None), ("crawl", 3, None)]
    conn.close()


def test_extraction_in_worker_processes(server, conn):
    server.route("/robots.txt", Reply(404))
    for i in range(6):
        server.page(f"/w{i}", article(i))
    server.page("/w-empty", "<html><body><nav>Menü</nav></body></html>")
    urls = [server.url(f"/w{i}") for i in range(6)] + [server.url("/w-empty")]
    store = Store(conn)
    report = crawl(conn, [SourceSpec(name="s", urls=urls, allow_private=True)], fetcher(), store,
                   options=CrawlOptions(delay=0.0, extract_processes=2))
    assert report.new == 6 and report.failed == {"no_text": 1}
    assert sorted(store.urls()) == sorted(urls[:6])


def test_extraction_stays_inline_while_the_workers_fork_server_warms_up(monkeypatch):
    from ingest import extract_pool
    from ingest.frontier import CrawlItem
    from ingest.types import FetchResult

    monkeypatch.setattr(extract_pool, "cpu_count", lambda: 2)
    monkeypatch.setattr(extract_pool, "prepare_workers", lambda wait=False: None)
    ready = False
    monkeypatch.setattr(extract_pool, "workers_ready", lambda: ready)
    extraction = extract_pool.Extraction()
    spec = SourceSpec(name="s")

    def submit(i: int) -> None:
        url = f"http://127.0.0.1:9/p{i}"
        result = FetchResult(url=url, final_url=url, status=200, headers={"content-type": "text/html"},
                             body=article(i).encode("utf-8"), encoding="utf-8")
        item = CrawlItem(url=url, fetch_url=url, source="s", status="new")
        outcome = extraction.outcome(extraction.submit(item, result, spec), item, result, spec)
        assert outcome.document is not None

    try:
        for i in range(extract_pool.AUTO_START_PAGES + 4):   # extraction-bound: nothing else happens
            submit(i)
        assert extraction.workers_started == 0   # not warm yet: a pool would only make the crawl wait
        ready = True
        submit(99)
        assert extraction.workers_started == 2
    finally:
        extraction.close()


def test_unchanged_sitemap_index_still_reads_its_changed_children(server, conn):
    server.route("/robots.txt", Reply(404))
    for i in range(3):
        server.page(f"/n{i}", article(i))
    server.route("/index.xml", Reply(body=sitemap_index([server.url("/daily.xml")]), content_type="application/xml",
                                     etag='"index-1"'))
    server.route("/daily.xml", Reply(body=urlset([server.url("/n0")]), content_type="application/xml"))
    spec = SourceSpec(name="s", sitemaps=[server.url("/index.xml")], allow_private=True)
    assert crawl(conn, [spec], fetcher(), Store(conn), options=FAST).new == 1
    server.route("/daily.xml", Reply(body=urlset([server.url(f"/n{i}") for i in range(3)]),
                                     content_type="application/xml"))
    again = crawl(conn, [spec], fetcher(), Store(conn), options=FAST)
    assert any(r.path == "/index.xml" and r.headers.get("If-None-Match") == '"index-1"' for r in server.requests)
    assert again.discovered == 2 and again.new == 2 and server.hits["/daily.xml"] == 2


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").exists(), reason=f"shared corpus not found at {CORPUS}")
def test_extraction_moves_to_worker_processes_only_when_it_holds_the_crawl_up(server, conn):
    from ingest.extract_pool import cpu_count, prepare_workers

    prepare_workers(wait=True)   # workers start only once their fork server is warm (next test)
    rows = _serve_corpus(server, 24)
    for i in range(4):
        server.page(f"/slow/{i}", article(i))
    store = Store(conn)
    corpus = SourceSpec(name="corpus", urls=[server.url(r["path"]) for r in rows], allow_private=True)
    # real pages from loopback without politeness: fetching is quick, extraction is the bottleneck
    report = crawl(conn, [corpus], fetcher(), store, options=CrawlOptions(polite_loopback=False, revisit_after=None))
    assert report.new + report.duplicates + sum(report.failed.values()) == len(rows) and report.new >= 20
    assert report.extract_workers == (min(cpu_count(), 8) if cpu_count() > 1 else 0)
    # a polite crawl waits on the host's delay: extracting inline keeps up
    slow = SourceSpec(name="slow", urls=[server.url(f"/slow/{i}") for i in range(4)], allow_private=True)
    report = crawl(conn, [slow], fetcher(), store, options=CrawlOptions(delay=0.3, revisit_after=None))
    assert report.new == 4 and report.extract_workers == 0
