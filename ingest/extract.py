"""Main text and metadata of one web page or plain-text article -> `Document`.

Why trafilatura in precision mode without comments and tables: claims are read
sentence by sentence from the text, so boilerplate (teasers, reader comments, table
cells without a sentence around them) would turn into false claims. Links inside the
main text are kept apart from the text as (anchor, href) pairs: they are the
article's citations, while the text itself stays free of markup so that character
offsets of claims refer to clean prose.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree
from trafilatura.xml import xmltotxt

from ingest.decode import UndecodableError, decode_bytes
from ingest.main_text import extractor, main_body
from ingest.metadata import page_metadata
from ingest.page_tree import parse_page
from ingest.text_header import read_header
from ingest.types import Document, InputError, content_hash
from ingest.urls import canonicalize, host_of, registered_domain

MIN_TEXT_CHARS = 50     # below this an "article" is a caption or an error page
LOCAL_SOURCE = "local"  # outlet of a local file whose page names none


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def clean_text(text: str) -> str:
    """One paragraph a line, whitespace inside lines collapsed, no empty lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _page_language(tree: etree._Element) -> str | None:
    """Primary language subtag declared by the page (<html lang>, content-language meta)."""
    declared = tree.get("lang") or tree.get("xml:lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        for meta in tree.iterfind(".//meta[@http-equiv]"):
            if meta.get("http-equiv", "").lower() == "content-language":
                declared = meta.get("content")
                break
    if not declared:
        return None
    primary = declared.strip().replace("_", "-").split("-")[0].split(",")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _links(body: etree._Element, base_url: str) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    links: list[tuple[str, str]] = []
    for ref in body.iter("ref"):
        target = (ref.get("target") or "").strip()
        anchor = " ".join("".join(ref.itertext()).split())
        if not target or not anchor:
            continue
        href = urljoin(base_url, target)
        if urlsplit(href).scheme not in ("http", "https") or (anchor, href) in seen:
            continue
        seen.add((anchor, href))
        links.append((anchor, href))
    return links


def _base_url(tree: etree._Element, url: str) -> str:
    """What relative links of the page resolve against: its <base href>, else its own URL (as in a browser)."""
    base = tree.find(".//base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url


def _plain_text(body: etree._Element) -> str:
    """Text of the extracted body with link markup removed (anchor text kept).

    Strips the links from `body` itself (read `_links` first): the body is this
    extraction's own tree, and a copy of it cost more than the rest of this step."""
    etree.strip_tags(body, "ref")
    return clean_text(xmltotxt(body, include_formatting=False))


def _declared_canonical(tree: etree._Element) -> str | None:
    """href of <link rel="canonical">, else og:url content (may be relative)."""
    for link in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in link.get("rel", "").lower().split():
            return link.get("href")
    for meta in tree.iterfind(".//meta[@content]"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            return meta.get("content")
    return None


def _canonical(candidate: str | None, url: str) -> str:
    """The page's own canonical URL unless it is implausible (not http(s), or pointing
    at a site's home page from an article, a common CMS misconfiguration)."""
    own = canonicalize(url)
    if not candidate:
        return own
    resolved = canonicalize(urljoin(url, candidate))
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return own
    if parts.path in ("", "/") and not parts.query and urlsplit(own).path not in ("", "/"):
        return own
    return resolved


def _source(sitename: str | None, url: str, canonical_url: str) -> str:
    """og:site_name (or a name trafilatura found in the page), else the registered domain.

    trafilatura falls back to the URL's host ("news.example.co.uk:8080") when a page
    names no site; that host is replaced by the registered domain so that all
    subdomains of an outlet share one source."""
    http_urls = [u for u in (url, canonical_url) if urlsplit(u).scheme in ("http", "https")]
    hosts = {host_of(u).removeprefix("www.") for u in http_urls} | {urlsplit(u).netloc.lower() for u in http_urls}
    name = " ".join((sitename or "").split())
    if name and name.lower() not in hosts:
        return name
    for candidate in http_urls:
        domain = registered_domain(candidate)
        if domain:
            return domain
    return LOCAL_SOURCE


def _as_text(html: str | bytes, url: str) -> tuple[str, list[str]]:
    if isinstance(html, str):
        return html, []
    try:
        decoded = decode_bytes(html)
    except UndecodableError as err:
        raise InputError(url, "invalid_encoding",
                         "the page's bytes are not text in any known character encoding; "
                         "check that it is really an HTML page and not a binary or damaged file") from err
    notes = [f"{decoded.replaced} undecodable bytes replaced (decoded as {decoded.encoding})"] if decoded.replaced else []
    return decoded.text, notes


def extract_document(
    html: str | bytes,
    url: str,
    lang_hint: str | None = None,
    fetched_at: str | None = None,
    *,
    raw_bytes: int | None = None,
    favor_precision: bool = True,
    include_tables: bool = False,
) -> Document:
    """Extract the main text, metadata and in-text links of an HTML page.

    `lang_hint` (e.g. the source's configured language) is used only when the page
    declares none. `raw_bytes`: the size the page arrived with, when `html` is its
    decoded text (else the size of `html` in UTF-8). Raises InputError(reason="no_text")
    when the page has no main text (index pages, paywalls, pages that need JavaScript).
    """
    text_html, warnings = _as_text(html, url)
    tree = parse_page(text_html)
    if tree is None:
        raise InputError(url, "no_text", "the input could not be parsed as HTML (empty or not markup)")
    # everything read from the page comes first: the extraction prunes the tree
    meta = page_metadata(tree, url)
    canonical_url = _canonical(_declared_canonical(tree), url)
    language = _page_language(tree) or lang_hint
    base_url = _base_url(tree, url)
    # no url: trafilatura would resolve every <a> of the whole page against the site's root
    # (a tenth of the extraction time); _links resolves the few in the main text against the
    # page itself, which is also right for "../x.html"
    body = main_body(tree, extractor(favor_precision=favor_precision, include_tables=include_tables))
    links = _links(body, base_url) if body is not None else []
    text = _plain_text(body) if body is not None else ""
    if len(text) < MIN_TEXT_CHARS:
        raise InputError(url, "no_text",
                         f"no main text found ({len(text)} characters extracted): the page may be an index or "
                         "navigation page, need JavaScript, or be behind a paywall; pass the article's own URL "
                         "or a saved copy of the full article")
    return Document(
        url=url,
        canonical_url=canonical_url,
        source=_source(meta.sitename, url, canonical_url),
        title=meta.title or None,
        author=meta.author or None,
        published=meta.date or None,
        language=language,
        text=text,
        content_hash=content_hash(text),
        fetched_at=fetched_at or utc_timestamp(),
        links=links,
        raw_bytes=raw_bytes if raw_bytes is not None else len(html if isinstance(html, bytes) else html.encode("utf-8")),
        warnings=warnings,
    )


def document_from_text(
    text: str,
    url: str,
    *,
    lang_hint: str | None = None,
    source: str | None = None,
    fetched_at: str | None = None,
    raw_bytes: int | None = None,
) -> Document:
    """A Document from plain text: the first short line is taken as title, header
    lines such as "Veröffentlicht am: 29. März 2025" or "Published: ... | By ..." give
    date and author and are removed from the text."""
    header = read_header(text)
    body = clean_text("\n".join(header.body_lines))
    if len(body) < MIN_TEXT_CHARS:
        raise InputError(url, "no_text",
                         f"the text has only {len(body)} characters after removing header lines; "
                         "an article needs at least a paragraph of prose")
    canonical_url = canonicalize(url)
    return Document(
        url=url,
        canonical_url=canonical_url,
        source=source or _source(None, url, canonical_url),
        title=header.title,
        author=header.author,
        published=header.published or header.updated,
        language=lang_hint,
        text=body,
        content_hash=content_hash(body),
        fetched_at=fetched_at or utc_timestamp(),
        raw_bytes=raw_bytes if raw_bytes is not None else len(text.encode("utf-8")),
    )
