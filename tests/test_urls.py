"""URL canonicalization, outlet domains, robots rules, feed/sitemap parsing, simhash, sources TOML."""
from __future__ import annotations

import gzip

import pytest

from ingest.feeds import FeedError, parse_feed
from ingest.near_duplicates import hamming, is_near_duplicate, simhash
from ingest.robots import parse_robots
from ingest.sitemaps import SitemapError, parse_sitemap
from ingest.sources import SourcesError, load_sources
from ingest.urls import canonicalize, host_of, registered_domain


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://WWW.Example.COM:80/a/./b/../c?b=2&a=1#top", "http://www.example.com/a/c?a=1&b=2"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com:443/x", "https://example.com/x"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed&id=3", "https://example.com/a?id=3"),
    ("https://example.com/a?fbclid=abc&gclid=x&mc_cid=1&ref=twitter", "https://example.com/a"),
    ("https://example.com/a?UTM_Campaign=x&page=2", "https://example.com/a?page=2"),
    ("https://example.com/%7euser/Caf%c3%a9", "https://example.com/~user/Caf%C3%A9"),
    ("https://example.com/Path/Keeps/Case/", "https://example.com/Path/Keeps/Case/"),
    ("https://münchen.de/x", "https://xn--mnchen-3ya.de/x"),
    ("file:///tmp/a.html#frag", "file:///tmp/a.html"),
])
def test_canonicalize(raw, expected):
    assert canonicalize(raw) == expected
    assert canonicalize(expected) == expected   # idempotent


def test_registered_domain_and_host():
    assert registered_domain("https://www.spiegel.de/politik/a.html") == "spiegel.de"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("https://xn--mnchen-3ya.de/x") == "münchen.de"
    assert registered_domain("http://127.0.0.1:8080/x") == "127.0.0.1"
    assert registered_domain("http://localhost/x") == "localhost"
    assert registered_domain("file:///tmp/x") == ""
    assert host_of("HTTPS://Example.com:443/a") == "example.com"
    assert host_of("http://[::1]:8080/") == "[::1]:8080"


ROBOTS = """
# comment
User-agent: *
Disallow: /

User-agent: newsgraph
User-agent: otherbot
Disallow: /private/
Allow: /private/public-
Disallow: /*.pdf$
Disallow: /*?session=
Crawl-delay: 2.5

Sitemap: https://example.org/sitemap.xml
"""


@pytest.mark.parametrize(("path", "allowed"), [
    ("/news/a", True),
    ("/private/x", False),
    ("/private/public-page", True),       # longer Allow wins
    ("/files/report.pdf", False),
    ("/files/report.pdf?x=1", True),      # $ anchors the end
    ("/a?session=1", False),
    ("/robots.txt", True),
])
def test_robots_rules_for_our_agent(path, allowed):
    rules = parse_robots(ROBOTS, "newsgraph/0.1.0 (+mailto:ops@example.org)")
    assert rules.allowed("https://example.org" + path) is allowed
    assert rules.crawl_delay == 2.5 and rules.sitemaps == ["https://example.org/sitemap.xml"]


def test_robots_star_group_applies_to_other_agents():
    rules = parse_robots(ROBOTS, "somebot/2.0")
    assert not rules.allowed("https://example.org/news/a") and rules.crawl_delay is None
    assert parse_robots("", "newsgraph/1").allowed("https://example.org/anything")


def test_parse_rss_atom_rdf_and_json_feeds():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
      <item><title>A</title><link>https://example.org/a</link><pubDate>Sat, 29 Mar 2025 09:00:00 +0100</pubDate></item>
      <item><title>B</title><guid>https://example.org/b</guid></item>
      <item><title>C</title><link>/c</link></item>
      <item><title>dup</title><link>https://example.org/a</link></item>
      <item><title>mail</title><link>mailto:x@example.org</link></item></channel></rss>"""
    entries = parse_feed(rss, "https://example.org/feed.xml")
    assert [(e.url, e.published) for e in entries] == [
        ("https://example.org/a", "2025-03-29"), ("https://example.org/b", None), ("https://example.org/c", None)]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
      <link rel="self" href="https://example.org/atom.xml"/>
      <entry><title>A</title><link rel="alternate" href="https://example.org/a"/><updated>2025-03-29T08:00:00Z</updated></entry>
      <entry><title>B</title><link href="https://example.org/b"/><published>2025-03-28T08:00:00+01:00</published></entry>
    </feed>"""
    assert [(e.url, e.published) for e in parse_feed(atom, "https://example.org/")] == [
        ("https://example.org/a", "2025-03-29"), ("https://example.org/b", "2025-03-28")]
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel/><item rdf:about="https://example.org/r">
      <link>https://example.org/r</link><dc:date>2025-01-02</dc:date></item></rdf:RDF>"""
    assert [(e.url, e.published) for e in parse_feed(rdf, "https://example.org/")] == [("https://example.org/r", "2025-01-02")]
    json_feed = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://example.org/j", "date_published": "2025-02-03T10:00:00Z"}]}'
    assert [(e.url, e.published) for e in parse_feed(json_feed, "https://example.org/")] == [("https://example.org/j", "2025-02-03")]


@pytest.mark.parametrize("content", [b"", b"<html><body>no feed</body></html>", b"{not json", b"\x00\x01",
                                     b"<rss><channel><item><link>"])
def test_malformed_feeds_raise_feed_error(content):
    with pytest.raises(FeedError):
        parse_feed(content, "https://example.org/feed")


def test_feed_xml_entities_are_not_expanded():
    evil = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <rss><channel><item><link>https://example.org/&x;</link></item></channel></rss>"""
    urls = [e.url for e in parse_feed(evil, "https://example.org/")]
    assert all("root:" not in u for u in urls)


def test_parse_sitemaps():
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.org/s1.xml</loc></sitemap><sitemap><loc>/s2.xml.gz</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index, "https://example.org/sitemap.xml").sitemaps == [
        "https://example.org/s1.xml", "https://example.org/s2.xml.gz"]
    news = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://example.org/a</loc><lastmod>2025-03-30</lastmod>
        <news:news><news:publication_date>2025-03-29T10:00:00+01:00</news:publication_date></news:news></url>
      <url><loc>https://example.org/b</loc><lastmod>2025-01-01T00:00:00Z</lastmod></url>
      <url><loc>https://example.org/c</loc></url></urlset>"""
    entries = parse_sitemap(gzip.compress(news), "https://example.org/")
    assert [(e.url, e.published) for e in entries.entries] == [
        ("https://example.org/a", "2025-03-29"), ("https://example.org/b", "2025-01-01"), ("https://example.org/c", None)]
    text = parse_sitemap(b"https://example.org/x\nhttps://example.org/y\n", "https://example.org/")
    assert [e.url for e in text.entries] == ["https://example.org/x", "https://example.org/y"]
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html><body>Hallo</body></html>", "https://example.org/")
    with pytest.raises(SitemapError):
        parse_sitemap(gzip.compress(b"\0" * 200_000), "https://example.org/", max_bytes=10_000)


def test_simhash_separates_copies_from_other_articles():
    base = ("Die Stadt hat den Bau einer neuen Brücke über den Fluss beschlossen. Die Kosten werden auf "
            "rund 48 Millionen Euro geschätzt, teilte die Verwaltung am Montag mit. Mit dem Baubeginn wird "
            "im Frühjahr gerechnet, die Fertigstellung ist für das Jahr 2029 geplant. Kritiker halten die "
            "Planung für zu optimistisch und verweisen auf gestiegene Preise für Stahl und Beton. ") * 3
    copy = base.replace("am Montag", "am Dienstag") + "Ergänzung: Der Stadtrat stimmte mit großer Mehrheit zu."
    other = ("Der Fußballverein hat seinen Trainer entlassen. Nach sieben Niederlagen in Folge sah der Vorstand "
             "keine andere Möglichkeit, hieß es. Ein Nachfolger soll bis zum Wochenende gefunden sein. ") * 3
    assert hamming(simhash(base), simhash(base)) == 0
    assert is_near_duplicate(simhash(base), simhash(copy))
    assert hamming(simhash(base), simhash(other)) > 16
    assert simhash("") == 0 and 0 <= simhash(base) < 2 ** 64


def test_sources_toml(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("""
[crawl]
contact = "mailto:ops@example.org"
delay = 2
concurrency = 3

[[source]]
name = "testkurier"
feeds = ["https://www.testkurier.de/rss.xml"]
sitemaps = ["https://www.testkurier.de/news-sitemap.xml"]
lang = "de"
max_pages = 50
""", encoding="utf-8")
    config = load_sources(path)
    assert config.fetch.user_agent.startswith("newsgraph/") and "mailto:ops@example.org" in config.fetch.user_agent
    assert config.crawl.delay == 2.0 and config.crawl.concurrency == 3
    [spec] = config.sources
    assert spec.name == "testkurier" and spec.lang == "de" and spec.max_pages == 50 and spec.urls == []


@pytest.mark.parametrize(("body", "fragment"), [
    ('[[source]]\nname = "a"\nfeed = ["https://x.org/f"]\n', "unknown key 'feed'; did you mean 'feeds'?"),
    ('[[source]]\nname = "a"\nurls = ["ftp://x.org/f"]\n', "only http:// and https://"),
    ('[[source]]\nname = "a"\n', "nothing to crawl"),
    ('[[source]]\nurls = ["https://x.org/"]\n', "missing 'name'"),
    ('[[source]]\nname = "a"\nurls = ["https://x.org/"]\nmax_pages = "ten"\n', "max_pages must be a whole number"),
    ('[crawl]\ndelays = 1\n[[source]]\nname = "a"\nurls = ["https://x.org/"]\n', "[crawl]: unknown key 'delays'"),
    ('[source]\nname = "a"\n', "write [[source]], not [source]"),
    ('[[source]]\nname = "a"\nurls = ["https://x.org/"]\n[[source]]\nname = "a"\nurls = ["https://y.org/"]\n',
     "used more than once"),
    ("[[source]\n", "not valid TOML"),
])
def test_sources_toml_errors_name_file_and_key(tmp_path, body, fragment):
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_specs_for_urls_groups_by_domain():
    from ingest.sources import specs_for_urls
    specs = specs_for_urls(["https://www.testkurier.de/a", "https://blog.testkurier.de/b", "https://example.org/c"],
                           allow_private=True)
    assert [(s.name, s.urls, s.allow_private) for s in specs] == [
        ("testkurier.de", ["https://www.testkurier.de/a", "https://blog.testkurier.de/b"], True),
        ("example.org", ["https://example.org/c"], True)]
    with pytest.raises(SourcesError):
        specs_for_urls(["example.org/no-scheme"])
