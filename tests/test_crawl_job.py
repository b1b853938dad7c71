"""The nightly job from a feed on a real local HTTP server: new articles in, an unchanged re-run, exit codes."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsgraph import jobs
from newsgraph.config import ConfigError, Settings
from httpserver import LocalServer, Reply

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


@pytest.fixture()
def sample_site():
    """The sample articles under their canonical paths, and the sample feed pointing at them."""
    with LocalServer() as server:
        feed = (SAMPLES / "feed.xml").read_text(encoding="utf-8")
        for page in sorted((SAMPLES / "articles").glob("*.html")):
            html = page.read_text(encoding="utf-8")
            canonical = CANONICAL.search(html).group(1)
            path = urlsplit(canonical).path
            local = server.url(path)
            server.route(path, Reply(body=html.replace(canonical, local), etag=f'"{page.stem}"'))
            feed = feed.replace(canonical, local)
        server.route("/feed.xml", Reply(body=feed, content_type="application/rss+xml"))
        server.route("/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain"))
        yield server


def test_crawl_feed_then_unchanged_rerun(tmp_path, sample_site):
    settings = Settings(db=tmp_path / "r.db")
    n = len(list((SAMPLES / "articles").glob("*.html")))
    first = jobs.crawl_job(settings, urls=[], sources_file=None, since=None, max_pages=None,
                           allow_private=True, feeds=[sample_site.url("/feed.xml")])
    assert first.failures == []
    assert first.stages["crawl"].new == n
    assert first.stages["analyze"].analyzed == n
    assert first.summary["counts"]["claims"] > 5 * n

    second = jobs.crawl_job(settings, urls=[], sources_file=None, since=None, max_pages=None,
                            allow_private=True, feeds=[sample_site.url("/feed.xml")])
    assert second.stages["crawl"].new == 0
    assert second.stages["analyze"].analyzed == 0
    conn = sqlite3.connect(settings.db)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == n


def test_loopback_refused_without_allow_private(tmp_path, sample_site):
    settings = Settings(db=tmp_path / "r.db")
    result = jobs.crawl_job(settings, urls=[], sources_file=None, since=None, max_pages=None,
                            allow_private=False, feeds=[sample_site.url("/feed.xml")])
    assert result.failures and all(f.reason == "source_failed" for f in result.failures)
    assert result.summary["counts"]["articles"] == 0


def test_bad_sources_file_is_a_configuration_error(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text("[[source]]\nname = 'x'\nfeeds = 'not-a-list'\n")
    with pytest.raises(ConfigError, match="sources.toml"):
        jobs.crawl_job(Settings(db=tmp_path / "r.db"), urls=[], sources_file=bad, since=None,
                       max_pages=None, allow_private=True)
