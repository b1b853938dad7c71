"""Article URLs (with dates) from RSS 2.0, RSS 1.0/RDF, Atom and JSON Feed content.

Why not trafilatura.feeds.extract_links: it drops the entry dates that `since`
filtering needs, and its URL check (courlan) rejects IP and single-label hosts, so
intranet and test feeds would yield nothing. We parse the content we fetched with
our own Fetcher (politeness, safety) and keep only http(s) links.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ingest.xmlparse import MalformedXML, child_text, children, iso_date, local, parse_xml

ENTRY_TAGS = ("item", "entry")
DATE_TAGS = ("published", "pubdate", "date", "issued", "created", "updated", "modified")


@dataclass
class FeedEntry:
    url: str
    published: str | None = None   # ISO date
    title: str | None = None


class FeedError(ValueError):
    """The content is not a feed we can read."""


def _atom_link(entry) -> str | None:
    links = children(entry, "link")
    for link in links:
        if link.get("href") and link.get("rel", "alternate") == "alternate" and "xml" not in link.get("type", ""):
            return link.get("href")
    for link in links:   # RSS-style <link>url</link> inside RDF/odd Atom
        if (link.text or "").strip():
            return link.text.strip()
    return None


def _entry_url(entry) -> str | None:
    url = _atom_link(entry)
    if url:
        return url
    for guid in children(entry, "guid"):
        text = (guid.text or "").strip()
        if guid.get("isPermaLink", "true").lower() == "true" and text.startswith(("http://", "https://")):
            return text
    about = entry.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return about or None


def _keep(url: str | None, base_url: str) -> str | None:
    if not url:
        return None
    absolute = urljoin(base_url, url.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _json_feed(content: bytes, base_url: str) -> list[FeedEntry]:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as err:
        raise FeedError(f"not a JSON feed: {err}") from err
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FeedError("JSON content without an 'items' list is not a JSON Feed")
    entries = []
    for item in items:
        if isinstance(item, dict):
            url = _keep(item.get("url") or item.get("external_url"), base_url)
            if url:
                entries.append(FeedEntry(url, iso_date(item.get("date_published") or item.get("date_modified")),
                                         item.get("title")))
    return entries


def parse_feed(content: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of a feed, in document order, deduplicated. Raises FeedError when the
    content is not a readable RSS/Atom/JSON feed."""
    if content.lstrip()[:1] in (b"{", b"["):
        return _json_feed(content, base_url)
    try:
        root, syntax_error = parse_xml(content)
    except MalformedXML as err:
        raise FeedError(str(err)) from err
    if local(root) not in ("rss", "feed", "rdf", "channel"):
        raise FeedError(f"the document is <{local(root) or '?'}>, not an RSS or Atom feed")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for element in root.iter():
        if local(element) not in ENTRY_TAGS:
            continue
        url = _keep(_entry_url(element), base_url)
        if url and url not in seen:
            seen.add(url)
            entries.append(FeedEntry(url, iso_date(child_text(element, *DATE_TAGS)), child_text(element, "title")))
    if syntax_error and not entries:
        raise FeedError(syntax_error)
    return entries
