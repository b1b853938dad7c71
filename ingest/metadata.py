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
from trafilatura.utils import line_processing
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from ingest.author_search import AUTHOR_DISCARD_PREFILTERS, AUTHOR_PREFILTERS, guarded, selecting

# trafilatura's author expressions, skipped on pages where they cannot select anything
AUTHOR_SEARCH = guarded(AUTHOR_XPATHS, AUTHOR_PREFILTERS)
AUTHOR_DISCARD = guarded(AUTHOR_DISCARD_XPATHS, AUTHOR_DISCARD_PREFILTERS)


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
    """`trafilatura.metadata.extract_author`, step for step, with the guarded expressions.

    The prefilters are read on the page itself: its copy without comments and sidebars holds a
    subset of its elements, so an expression that cannot select anything on the page cannot
    on the copy either. A page where none can has no author, and its copy and pruning, ~1-2 ms,
    are skipped; otherwise only the expressions that may select run on the copy.
    """
    searches = selecting(AUTHOR_SEARCH, tree)
    if not searches:
        return None
    subtree = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD)
    author = extract_metainfo(subtree, searches, len_limit=120)
    return normalize_authors(None, author) if author else author


def _trim(value: str | None) -> str | None:
    """trafilatura's `Document.clean_and_trim` for one field."""
    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))
