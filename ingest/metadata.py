"""Title, author, date and site name of a page: trafilatura's metadata steps, only those we keep.

Why not `bare_extraction(with_metadata=True)`: trafilatura then also searches the
whole tree for categories, tags and a licence, which newsgraph does not store;
on news pages those searches cost about a fifth of all metadata time. This
module runs the same steps as `trafilatura.metadata.extract_metadata`, in the
same order and with the same defaults, for the four fields a `Document` has,
so the values are the ones trafilatura would give (a test compares both on
real pages).
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from html import unescape

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
    extract_url,
    normalize_authors,
)
from trafilatura.settings import Extractor
from trafilatura.utils import line_processing, trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from ingest.author_search import AUTHOR_DISCARDS, AUTHOR_PREFILTERS, Discard, guarded, selecting, turned_around

# trafilatura's author expressions, skipped on pages where they cannot select anything
AUTHOR_SEARCH = guarded(AUTHOR_XPATHS, AUTHOR_PREFILTERS)
# what trafilatura prunes before the search, read on the page itself (None: prune a copy)
AUTHOR_DISCARD = turned_around(AUTHOR_DISCARD_XPATHS, AUTHOR_DISCARDS)
AUTHOR_MAX_CHARS = 120      # trafilatura's len_limit for authors


@dataclass(frozen=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None          # YYYY-MM-DD, as htmldate gives it
    sitename: str | None = None


def page_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """The metadata trafilatura would extract for this tree, without categories, tags and licence."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:       # trafilatura guards its JSON-LD reader the same way
        pass
    if not meta.title:
        meta.title = extract_title(tree)
    if not meta.author:
        meta.author = extract_author(tree)
    if not meta.url:
        meta.url = extract_url(tree, url)
    date_params = {**Extractor().date_params, "url": meta.url}
    date = find_date(tree, **date_params)
    sitename = meta.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif meta.url:
        match = META_URL.match(meta.url)
        sitename = match[1] if match else None
    return PageMetadata(title=_trim(meta.title), author=_trim(meta.author), date=_trim(date),
                        sitename=_trim(sitename))


def extract_author(tree: HtmlElement) -> str | None:
    """`trafilatura.metadata.extract_author`: the same author, without copying the page.

    trafilatura searches a copy of the page without comments, sidebars and figures. The
    prefilters are read on the page itself: the copy holds a subset of its elements, so an
    expression that cannot select anything on the page cannot on the copy either, and a page
    where none can has no author. The others run on the page too, skipping the elements the
    copy would not hold (`AUTHOR_DISCARD`); only a candidate with such an element inside is
    copied and pruned, for its text.
    """
    searches = selecting(AUTHOR_SEARCH, tree)
    if not searches:
        return None
    if AUTHOR_DISCARD is None:
        author = extract_metainfo(prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS), searches,
                                  len_limit=AUTHOR_MAX_CHARS)
    else:
        author = _first_kept(tree, searches, AUTHOR_DISCARD)
    return normalize_authors(None, author) if author else author


def _first_kept(tree: HtmlElement, searches: list, discards: tuple[Discard, ...]) -> str | None:
    """`extract_metainfo` on the pruned copy: the first selected element that the pruning keeps,
    by expression and then in page order, whose text has the length of a name."""
    for expression in searches:
        for element in expression(tree):
            if not _in_subtree(element, tree) or any(d.within(element, tree) for d in discards):
                continue
            if any(d.inside(element) for d in discards):
                element = prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS)
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < AUTHOR_MAX_CHARS:
                return content
    return None


def _in_subtree(element: HtmlElement, root: HtmlElement) -> bool:
    """Whether `element` is `root` or inside it. `//` searches root's whole document, a copy of
    `root` holds only its subtree: lxml gives a page that looks like a fragment as one of its
    elements, and markup after `</html>` can give a page a second top-level element."""
    return element is root or any(a is root for a in element.iterancestors())


def _trim(value: str | None) -> str | None:
    """trafilatura's `Document.clean_and_trim` for one field."""
    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))
