"""Article URLs (with dates) and child sitemaps from XML, news and text sitemaps.

Why our own parser rather than trafilatura.sitemaps: its SitemapObject downloads by
itself (bypassing our Fetcher's robots, delay and address checks), filters hosts
through courlan (which rejects IP and intranet hosts) and drops <lastmod> and
<news:publication_date>, which `since` filtering needs. Gzipped sitemaps are
decompressed with the same size limit as HTTP bodies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ingest.fetch import inflate
from ingest.xmlparse import MalformedXML, child_text, children, iso_date, local, parse_xml

MAX_URLS = 50_000          # the sitemaps.org limit for one file


@dataclass
class SitemapEntry:
    url: str
    published: str | None = None   # news:publication_date, else lastmod (an upper bound)


@dataclass
class Sitemap:
    entries: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)   # children of a sitemap index


class SitemapError(ValueError):
    """The content is not a sitemap we can read."""


def _http(url: str | None, base_url: str) -> str | None:
    if not url:
        return None
    absolute = urljoin(base_url, url.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _text_sitemap(text: str, base_url: str) -> Sitemap:
    urls = [_http(line, base_url) for line in text.splitlines() if line.strip().startswith(("http://", "https://"))]
    if not urls:
        raise SitemapError("neither XML nor a list of URLs")
    return Sitemap(entries=[SitemapEntry(u) for u in urls[:MAX_URLS] if u])


def _publication_date(url_element) -> str | None:
    for news in children(url_element, "news"):
        date = iso_date(child_text(news, "publication_date"))
        if date:
            return date
    return iso_date(child_text(url_element, "lastmod"))


def parse_sitemap(content: bytes, base_url: str, *, max_bytes: int = 50 * 1024 * 1024) -> Sitemap:
    """Read a sitemap (urlset), sitemap index, or plain-text sitemap; gzip allowed.
    Raises SitemapError for anything else."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = inflate(content, "gzip", max_bytes)
        except ValueError as err:
            raise SitemapError(f"gzip sitemap: {err}") from err
    stripped = content.lstrip()
    if not stripped.startswith(b"<"):
        return _text_sitemap(stripped.decode("utf-8", errors="replace"), base_url)
    try:
        root, syntax_error = parse_xml(content)
    except MalformedXML as err:
        raise SitemapError(str(err)) from err
    kind = local(root)
    if kind == "sitemapindex":
        locs = (_http(child_text(s, "loc"), base_url) for s in children(root, "sitemap"))
        return Sitemap(sitemaps=[loc for loc in locs if loc])
    if kind != "urlset":
        raise SitemapError(f"the document is <{kind or '?'}>, not a sitemap (urlset or sitemapindex)")
    entries = []
    for element in children(root, "url")[:MAX_URLS]:
        url = _http(child_text(element, "loc"), base_url)
        if url:
            entries.append(SitemapEntry(url, _publication_date(element)))
    if syntax_error and not entries:
        raise SitemapError(syntax_error)
    return Sitemap(entries=entries)
