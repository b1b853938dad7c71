"""Crawl of the corpus from a local HTTP server: first run, then an unchanged re-run.

The corpus pages are served by the tests' real HTTP server (tests/httpserver.py) on
127.0.0.1, keeping connections open between requests as news sites do (a new
connection per request doubled the re-run's time), under their manifest URL paths
(a page whose path is empty, "/" or taken by another page is served under
/corpus/<file>), each with an ETag, plus a robots.txt and a sitemap listing every page. `ingest.crawl.crawl` reads the
sitemap, fetches and extracts every page and stores each document in the record
(as `newsgraph crawl` does, through `pipeline.store_documents`), with per-host
politeness off for loopback (`polite_loopback=False`) and the default extraction
setting (inline, moving to one worker process per CPU once extraction is the
bottleneck; the figure's detail says how many workers ran). The warm-up crawl warms the
inline extractor; the workers' fork server (ingest.extract_pool), started by it, is
waited for too, like any other warm-up, so that its one-off ~3.5 s of CPU is outside
the timed passes, as the inline extractor's is. The NLP stage that
`newsgraph crawl` runs after the crawl, over the stored articles, is not part of this
figure: it is the `pipeline` stage's.

The re-run uses the same record: every page is due again (revisit_after=0) and the
server answers the conditional GETs with 304, so nothing is extracted or stored.
Targets: first run ≥ 30 pages/s, re-run ≥ 10× faster.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from bench.context import StageContext
from bench.corpus import Page, load_pages, spread
from bench.figures import figure, target
from bench.measure import median, per_second, timed
from bench.records import fresh_record

SAFE_PATH = re.compile(r"[^A-Za-z0-9/._~-]")
UNUSABLE_PATH = re.compile(r"//|/\.\.?(?:/|$)")


def served_paths(pages: list[Page]) -> dict[str, Page]:
    """path on the local server -> page: the manifest URL's path where it is usable and unique."""
    out: dict[str, Page] = {}
    for page in pages:
        parts = urlsplit(page.url or "")
        # only http(s) URLs have a usable path ("hard::file.html" would give "_file.html"), and
        # only without dot segments or "//", which clients resolve and servers split differently
        path = SAFE_PATH.sub("_", parts.path) if parts.scheme in ("http", "https") else ""
        if not path.startswith("/") or path == "/" or path in out or UNUSABLE_PATH.search(path) or \
                path in ("/robots.txt", "/sitemap.xml", "/warmup.xml"):
            path = f"/corpus/{page.file}"
        out[path] = page
    return out


def serve(server, paths: dict[str, Page]) -> None:
    """Register every page (with an ETag) and a robots.txt that allows everything."""
    from tests.httpserver import Reply

    for path, page in paths.items():
        server.route(path, Reply(body=page.path.read_bytes(), content_type="text/html",
                                 etag=f'"{page.file}-{page.bytes}"'))
    server.route("/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain"))


def sitemap(server, name: str, paths: list[str]) -> str:
    """Register a sitemap listing `paths` at /<name>.xml; return its URL."""
    from tests.httpserver import Reply

    urls = "".join(f"<url><loc>{escape(server.url(p))}</loc></url>" for p in paths)
    body = ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    server.route(f"/{name}.xml", Reply(body=body, content_type="application/xml", etag=f'"{name}-1"'))
    return server.url(f"/{name}.xml")


def crawl_once(conn, sitemap_url: str) -> dict:
    from ingest.crawl import CrawlOptions, crawl
    from ingest.fetch import FetchConfig, Fetcher
    from ingest.types import SourceSpec
    from newsgraph import pipeline

    spec = SourceSpec(name="bench-corpus", sitemaps=[sitemap_url], allow_private=True)
    options = CrawlOptions(polite_loopback=False, revisit_after=0, revisit_max_age_days=36500.0)
    with Fetcher(FetchConfig(allow_private=True)) as fetcher:
        report = crawl(conn, [spec], fetcher,
                       on_document=lambda doc: pipeline.store_documents(conn, [doc]),
                       options=options)
    first_failure = f"{report.failures[0].reason}: {report.failures[0].message}" if report.failures else None
    return {"first_failure": first_failure, "fetched": report.fetched, "new": report.new, "updated": report.updated,
            "unchanged": report.unchanged, "duplicates": report.duplicates,
            "failed": dict(report.failed), "concurrency": options.concurrency,
            "extract_workers": report.extract_workers}


def run(ctx: StageContext) -> dict:
    from ingest.extract_pool import prepare_workers
    from tests.httpserver import LocalServer

    pages = spread(load_pages(ctx.corpus_path()), ctx.pages)
    paths = served_paths(pages)
    firsts, reruns = [], []
    first_counts = rerun_counts = {}
    with LocalServer(keep_alive=True) as server:
        serve(server, paths)
        sitemap_url = sitemap(server, "sitemap", list(paths))
        warm, _ = fresh_record(ctx.work, "crawl-warmup")   # imports, first connections, extractor
        crawl_once(warm, sitemap(server, "warmup", list(paths)[:3]))
        warm.close()
        prepare_workers(wait=True)   # ... and the extraction workers' (their fork server's warm-up)
        server.hits.clear()
        for _ in range(max(1, ctx.repeats)):
            conn, _ = fresh_record(ctx.work, "crawl")
            seconds, first_counts = timed(lambda: crawl_once(conn, sitemap_url))
            firsts.append(seconds)
            # URLs the crawl took on: sitemap entries that canonicalize to one URL count once.
            crawled = conn.execute("SELECT COUNT(*) FROM crawl_urls").fetchone()[0]
            seconds, rerun_counts = timed(lambda: crawl_once(conn, sitemap_url))
            reruns.append(seconds)
            stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            first_failure = first_counts.get("first_failure")
            conn.close()
        requests = sum(server.hits.values())
    first, rerun = median(firsts), median(reruns)
    warnings = []
    failed = first_counts.get("failed", {})
    if stored < crawled // 2:
        warnings.append(f"only {stored} of {crawled} pages were stored on the first run "
                        f"(failures: {failed}; e.g. {first_failure}); the crawl figures do not "
                        "measure a working crawl")
    return {
        "warnings": warnings,
        "figures": [
            figure("crawl.first_pages_per_s", "crawl, first run (fetch, extract, store)",
                   per_second(crawled, first), "pages/s", target=target(">=", 30, "≥ 30"),
                   detail={**first_counts, "pages_served": len(paths), "urls_crawled": crawled,
                           "articles_stored": stored,
                           "pass_seconds": [round(d, 3) for d in firsts]}),
            figure("crawl.rerun_pages_per_s", "crawl, unchanged re-run (conditional GET, 304)",
                   per_second(crawled, rerun), "pages/s",
                   detail={**rerun_counts, "pass_seconds": [round(d, 3) for d in reruns]}),
            figure("crawl.rerun_speedup", "crawl re-run speed-up over first run", first / rerun if rerun else None,
                   "x", target=target(">=", 10, "≥ 10×")),
        ],
        "info": {"pages": len(paths), "server_requests": requests},
    }
